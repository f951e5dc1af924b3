package dev.datastores.transfer;

import dev.datastores.domain.DomainException;
import dev.datastores.domain.DomainException.DestinationRefused;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where export jobs may send records, decided before any connection. Without an operator allowlist a
 * destination passes only when every address of its host is a globally routable unicast address (the IANA
 * IPv4 and IPv6 special-purpose registries decide) and none is an address of this host's own interfaces;
 * with an allowlist only its entries pass. What passes carries the address that was checked, so the
 * request goes there and not wherever a second lookup would lead. Resolving blocks: call this on a worker
 * thread.
 */
@ApplicationScoped
public class Destinations {

    /** Looks a host name up; tests give their own so that they never ask DNS. */
    interface Resolver {
        List<InetAddress> resolve(String name) throws UnknownHostException;
    }

    /**
     * Every entry of the IANA IPv4 special-purpose registry, the few it calls globally reachable (AS112,
     * AMT, parts of 192.0.0/24) included: none is a place to post a store to. 255.255.255.255 is in 240/4.
     */
    private static final List<Cidr> SPECIAL_IPV4 = Cidr.all("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
            "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24",
            "192.88.99.0/24", "192.168.0.0/16", "192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
            "224.0.0.0/4", "240.0.0.0/4");

    /**
     * IANA allocates IPv6 global unicast from 2000::/3 only. Everything outside it is refused, which covers
     * the registry's ::/128, ::1/128, IPv4-compatible ::/96 (deprecated, not routed), the local-use NAT64
     * 64:ff9b:1::/48, 100::/64, 5f00::/16, fc00::/7, fe80::/10, site-local fec0::/10 and ff00::/8.
     */
    private static final Cidr GLOBAL_UNICAST_IPV6 = Cidr.of("2000::/3");

    /** The registry's entries inside 2000::/3: protocol assignments (Teredo among them), documentation, AS112. */
    private static final List<Cidr> SPECIAL_IPV6 = Cidr.all("2001::/23", "2001:db8::/32", "2620:4f:8000::/48", "3fff::/20");

    /** Forms that lead to an IPv4 address, judged by that address. */
    private static final Cidr IPV4_MAPPED = Cidr.of("::ffff:0:0/96");
    private static final Cidr NAT64 = Cidr.of("64:ff9b::/96");
    private static final Cidr SIX_TO_FOUR = Cidr.of("2002::/16");

    /**
     * Top-level names answered locally, privately or never: IANA special-use domain names, the private-use
     * .internal, and .arpa (home.arpa, resolver.arpa, reverse zones). Refused without a lookup, so that a job
     * cannot ask the service's resolver what it knows.
     */
    private static final Set<String> SPECIAL_USE_DOMAINS = Set.of("localhost", "local", "invalid", "test", "example", "onion",
            "alt", "internal", "arpa");

    private static final String HOW_TO_ALLOW = "an operator can allow it in datastores.exports.allowed-destinations";

    private final List<String> allowedNames;
    private final List<Cidr> allowedRanges;
    private final boolean allowlist;
    private final Resolver resolver;
    private final Supplier<Set<InetAddress>> ownAddresses;

    @Inject
    public Destinations(ExportJobConfig config) {
        this(config.allowedDestinations().orElse(List.of()), name -> List.of(InetAddress.getAllByName(name)),
                Destinations::interfaceAddresses);
    }

    Destinations(List<String> allowed, Resolver resolver, Supplier<Set<InetAddress>> ownAddresses) {
        List<String> entries = allowed.stream().map(entry -> entry.trim().toLowerCase(Locale.ROOT)).filter(entry -> !entry.isEmpty())
                .toList();
        this.allowedRanges = entries.stream().filter(Destinations::looksLikeAddress).map(Cidr::of).toList();
        this.allowedNames = entries.stream().filter(entry -> !looksLikeAddress(entry)).map(Destinations::withoutTrailingDot).toList();
        this.allowlist = !entries.isEmpty();
        this.resolver = resolver;
        this.ownAddresses = ownAddresses;
    }

    /** Where to send {@code url}'s chunks, or 400 destination-not-allowed saying why. */
    Destination require(String url) {
        URI uri = parse(url);
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        boolean tls = uri.getScheme().equalsIgnoreCase("https");
        int port = uri.getPort() == -1 ? (tls ? 443 : 80) : uri.getPort();
        if (port < 1 || port > 65535) {
            throw notAllowed("the port must be between 1 and 65535");
        }
        String path = uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        return new Destination(host, port, tls, target, addressOf(host));
    }

    private static URI parse(String url) {
        if (url == null || url.isBlank()) {
            throw notAllowed("url is required");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw notAllowed("url is not a valid URI (at character " + (e.getIndex() + 1) + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw notAllowed("url must be an http or https URL");
        }
        if (uri.getRawAuthority() == null) {
            throw notAllowed("url has no host");
        }
        if (uri.getRawUserInfo() != null) {
            throw notAllowed("url must not carry credentials: they would be kept and shown in the job's status");
        }
        if (uri.getHost() == null) {
            throw notAllowed("the host in url is neither a host name nor an IP address");
        }
        return uri;
    }

    /** The address to connect to for {@code host}, once it and every other address of the host passed. */
    private InetAddress addressOf(String host) {
        if (looksLikeAddress(host)) {
            byte[] literal = parseLiteral(host.replace("[", "").replace("]", ""));
            if (literal == null) {
                // 2130706433, 0x7f.1 or 0177.0.0.1 mean 127.0.0.1 to some parsers and other things to others.
                throw notAllowed(host + " is not an IP address in canonical form: dotted decimal IPv4, or IPv6 without a zone");
            }
            InetAddress address = ip(literal);
            if (!rule().test(address)) {
                throw notAllowed(allowlist ? notInAllowlist(host)
                        : host + " is not a globally routable unicast address of another host; " + HOW_TO_ALLOW);
            }
            return address;
        }
        String name = withoutTrailingDot(host);
        if (allowedNames.stream().anyMatch(entry -> entry.startsWith("*.") ? name.endsWith(entry.substring(1)) : entry.equals(name))) {
            return resolve(name).stream().findFirst().orElseThrow(() -> notAllowed(host + " does not resolve"));
        }
        if (SPECIAL_USE_DOMAINS.contains(name.substring(name.lastIndexOf('.') + 1))) {
            throw notAllowed(allowlist ? notInAllowlist(host) : host + " is a special-use domain name; " + HOW_TO_ALLOW);
        }
        List<InetAddress> addresses = resolve(name);
        if (addresses.isEmpty() || !addresses.stream().allMatch(rule())) {
            // The same answer whether the name does not resolve or resolves to a refused address: a refusal
            // must not tell what the service's resolver knows.
            throw notAllowed(allowlist ? notInAllowlist(host)
                    : host + " does not resolve to globally routable unicast addresses of other hosts only; " + HOW_TO_ALLOW);
        }
        return addresses.get(0);
    }

    /** The allowlist's ranges, or the default rule over this host's addresses as they are now. */
    private Predicate<InetAddress> rule() {
        if (allowlist) {
            return address -> allowedRanges.stream().anyMatch(range -> range.contains(address.getAddress()));
        }
        Set<InetAddress> own = ownAddresses.get();
        return address -> allowedByDefault(address, own);
    }

    private static String notInAllowlist(String host) {
        return host + " is not in the operator's allowlist";
    }

    private List<InetAddress> resolve(String name) {
        try {
            return resolver.resolve(name);
        } catch (UnknownHostException e) {
            return List.of();
        }
    }

    /**
     * Whether the default rule lets a job connect to {@code address}: a globally routable unicast address
     * that is not, and does not lead to, one of {@code own}, this host's addresses.
     */
    static boolean allowedByDefault(InetAddress address, Set<InetAddress> own) {
        byte[] bytes = address.getAddress();
        byte[] embedded = embeddedIpv4(bytes);
        return isGlobalUnicast(bytes) && !own.contains(address) && (embedded == null || !own.contains(ip(embedded)));
    }

    /** Whether the registries leave {@code address} (4 or 16 bytes) a globally routable unicast address. */
    static boolean isGlobalUnicast(byte[] address) {
        if (address.length == 4) {
            return SPECIAL_IPV4.stream().noneMatch(range -> range.contains(address));
        }
        byte[] embedded = embeddedIpv4(address);
        if (embedded != null) {
            return isGlobalUnicast(embedded);
        }
        return GLOBAL_UNICAST_IPV6.contains(address) && SPECIAL_IPV6.stream().noneMatch(range -> range.contains(address));
    }

    /** The IPv4 address an IPv4-mapped, NAT64 (64:ff9b::/96) or 6to4 address leads to; null for any other. */
    private static byte[] embeddedIpv4(byte[] address) {
        if (IPV4_MAPPED.contains(address) || NAT64.contains(address)) {
            return Arrays.copyOfRange(address, 12, 16);
        }
        if (SIX_TO_FOUR.contains(address)) {
            return Arrays.copyOfRange(address, 2, 6);
        }
        return null;
    }

    /** Every address of every interface of this host, read at each check: addresses come and go. */
    private static Set<InetAddress> interfaceAddresses() {
        try {
            return NetworkInterface.networkInterfaces().flatMap(Destinations::withSubInterfaces)
                    .flatMap(NetworkInterface::inetAddresses).collect(Collectors.toSet());
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Stream<NetworkInterface> withSubInterfaces(NetworkInterface parent) {
        return Stream.concat(Stream.of(parent), parent.subInterfaces().flatMap(Destinations::withSubInterfaces));
    }

    /**
     * Whether a host (or allowlist entry) is meant as an IP address: IPv6, or ending in a number as the
     * WHATWG URL standard reads it, so that 2130706433 and 0x7f.1 are not taken for names.
     */
    private static boolean looksLikeAddress(String host) {
        String name = withoutTrailingDot(host);
        String last = name.substring(name.lastIndexOf('.') + 1);
        return host.contains(":") || host.contains("/") || last.matches("[0-9]+|0x[0-9a-f]*");
    }

    /** The bytes of a dotted-decimal IPv4 address without leading zeros, or of an IPv6 address without zone; else null. */
    private static byte[] parseLiteral(String text) {
        if (!text.contains(":")) {
            String[] parts = text.split("\\.", -1);
            byte[] bytes = new byte[4];
            for (int i = 0; i < parts.length; i++) {
                if (parts.length != 4 || !parts[i].matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(parts[i]) > 255) {
                    return null;
                }
                bytes[i] = (byte) Integer.parseInt(parts[i]);
            }
            return bytes;
        }
        if (!text.matches("[0-9a-f:.]+")) {
            return null;
        }
        try {
            // In brackets the JDK only parses, it never looks the text up.
            byte[] bytes = InetAddress.getByName("[" + text + "]").getAddress();
            if (bytes.length == 16) {
                return bytes;
            }
            // The JDK turns ::ffff:a.b.c.d into a.b.c.d; keep the mapped form that was written.
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(bytes, 0, mapped, 12, 4);
            return mapped;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static InetAddress ip(byte[] address) {
        try {
            return InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes", e);
        }
    }

    private static String withoutTrailingDot(String host) {
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }

    private static DomainException notAllowed(String why) {
        return new DestinationRefused(why);
    }

    /** The addresses whose first {@code bits} bits are those of {@code network}. */
    private record Cidr(byte[] network, int bits) {

        static Cidr of(String text) {
            int slash = text.indexOf('/');
            byte[] network = parseLiteral((slash < 0 ? text : text.substring(0, slash)).replace("[", "").replace("]", ""));
            String suffix = slash < 0 ? null : text.substring(slash + 1);
            if (network == null || suffix != null && !suffix.matches("[0-9]{1,3}")) {
                throw new IllegalArgumentException(text + " is neither an IP address nor a CIDR range");
            }
            int bits = suffix == null ? network.length * 8 : Integer.parseInt(suffix);
            if (bits > network.length * 8) {
                throw new IllegalArgumentException(text + " has a prefix longer than its address");
            }
            return new Cidr(network, bits);
        }

        static List<Cidr> all(String... ranges) {
            return Stream.of(ranges).map(Cidr::of).toList();
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            for (int i = 0, left = bits; left > 0; i++, left -= 8) {
                int mask = (0xff << (8 - Math.min(left, 8))) & 0xff;
                if (((network[i] ^ address[i]) & mask) != 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
