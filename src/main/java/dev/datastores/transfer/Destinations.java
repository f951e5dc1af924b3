package dev.datastores.transfer;

import dev.datastores.http.ProblemException;
import dev.datastores.http.Problems;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where export jobs may send records. Without an operator allowlist only hosts whose every address is
 * public pass, so a job cannot reach the service's own network (loopback, private, link-local ranges
 * such as cloud metadata endpoints). With an allowlist only its entries pass. Resolving the name is
 * blocking: call this on a worker thread.
 */
@ApplicationScoped
public class Destinations {

    private final List<String> allowed;

    @Inject
    public Destinations(ExportJobConfig config) {
        this(config.allowedDestinations().orElse(List.of()));
    }

    Destinations(List<String> allowed) {
        this.allowed = allowed.stream().map(entry -> entry.trim().toLowerCase(Locale.ROOT)).filter(entry -> !entry.isEmpty()).toList();
    }

    /** The destination as a URI, or 400 destination-not-allowed saying why. */
    public URI require(String url) {
        URI uri = parse(url);
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw notAllowed("the host " + host + " does not resolve");
        }
        if (allowed.isEmpty()) {
            for (InetAddress address : addresses) {
                if (!isPublic(address)) {
                    throw notAllowed(host + " resolves to " + address.getHostAddress()
                            + ", a loopback, private or link-local address; an operator can allow it in datastores.exports.allowed-destinations");
                }
            }
            return uri;
        }
        if (allowed.stream().anyMatch(entry -> hostMatches(entry, host))) {
            return uri;
        }
        for (InetAddress address : addresses) {
            if (allowed.stream().noneMatch(entry -> inRange(entry, address))) {
                throw notAllowed(host + " is not in the operator's allowlist");
            }
        }
        return uri;
    }

    private static URI parse(String url) {
        if (url == null || url.isBlank()) {
            throw notAllowed("url is required");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw notAllowed("url is not a valid URI: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw notAllowed("url must be an http or https URL");
        }
        if (uri.getHost() == null) {
            throw notAllowed("url has no host");
        }
        if (uri.getRawUserInfo() != null) {
            throw notAllowed("url must not carry credentials: they would be kept and shown in the job's status");
        }
        return uri;
    }

    static boolean isPublic(InetAddress address) {
        if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = bytes[0] & 0xff;
            int second = bytes[1] & 0xff;
            boolean thisNetwork = first == 0;
            boolean sharedCarrierNat = first == 100 && second >= 64 && second < 128;
            boolean benchmarking = first == 198 && (second == 18 || second == 19);
            boolean reserved = first >= 240;
            return !(thisNetwork || sharedCarrierNat || benchmarking || reserved);
        }
        if (address instanceof Inet6Address) {
            boolean uniqueLocal = (bytes[0] & 0xfe) == 0xfc;
            boolean ipv4Mapped = isIpv4Mapped(bytes);
            if (ipv4Mapped) {
                try {
                    return isPublic(InetAddress.getByAddress(Arrays.copyOfRange(bytes, 12, 16)));
                } catch (UnknownHostException e) {
                    return false;
                }
            }
            return !uniqueLocal;
        }
        return false;
    }

    private static boolean isIpv4Mapped(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return (bytes[10] & 0xff) == 0xff && (bytes[11] & 0xff) == 0xff;
    }

    private static boolean hostMatches(String entry, String host) {
        if (entry.startsWith("*.")) {
            return host.endsWith(entry.substring(1));
        }
        return entry.equals(host) || entry.equals("[" + host + "]");
    }

    /** Whether {@code address} is the IP address or inside the CIDR range {@code entry}. */
    private static boolean inRange(String entry, InetAddress address) {
        int slash = entry.indexOf('/');
        String base = slash < 0 ? entry : entry.substring(0, slash);
        String suffix = slash < 0 ? "" : entry.substring(slash + 1);
        if (!base.matches("[0-9a-f:.]+") || !suffix.matches("[0-9]{0,3}")) {
            return false;
        }
        byte[] network;
        try {
            network = InetAddress.getByName(base).getAddress();
        } catch (UnknownHostException e) {
            return false;
        }
        byte[] candidate = address.getAddress();
        if (network.length != candidate.length) {
            return false;
        }
        int bits = suffix.isEmpty() ? network.length * 8 : Integer.parseInt(suffix);
        for (int i = 0; i < network.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((network[i] & mask) != (candidate[i] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static ProblemException notAllowed(String why) {
        return Problems.destinationNotAllowed(why);
    }
}
