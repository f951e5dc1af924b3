package dev.datastores.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datastores.domain.DomainException.DestinationRefused;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The destination rules as pure logic: resolution is a map and this host's addresses a set, so nothing
 * here asks DNS or opens a connection. Properties (jqwik) sweep the IANA special-purpose registries.
 */
class DestinationsTest {

    /** The IANA IPv4 special-purpose registry, as the tests read it. */
    private static final List<String> SPECIAL_IPV4 = List.of("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
            "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24",
            "192.88.99.0/24", "192.168.0.0/16", "192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
            "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32");

    /**
     * The IANA IPv6 special-purpose registry (the forms that embed IPv4 apart), then the space outside 2000::/3,
     * which IANA has not allocated for global unicast, less ::/8 whose parts are above.
     */
    private static final List<String> SPECIAL_IPV6 = List.of("::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001::/23",
            "2001::/32", "2001:db8::/32", "2620:4f:8000::/48", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10",
            "ff00::/8", "200::/7", "400::/6", "800::/5", "1000::/4", "4000::/2", "8000::/1");

    /** IPv4 /8s with no special-purpose address in them: an oracle that does not share the code's table. */
    private static final List<Integer> PUBLIC_IPV4_FIRST_OCTETS = List.of(1, 2, 8, 9, 11, 23, 45, 64, 93, 99, 101, 126, 128,
            151, 168, 170, 171, 173, 185, 191, 193, 197, 199, 202, 204, 212, 223);

    private static final InetAddress OWN_PUBLIC = ip("93.184.215.200");
    private static final InetAddress OWN_DOCUMENTATION = ip("192.0.2.7");

    private final Map<String, List<InetAddress>> names = Map.of(
            "hooks.example.net", List.of(ip("93.184.215.14"), ip("2606:4700::1111")),
            "mixed.example.net", List.of(ip("93.184.215.14"), ip("10.0.0.1")),
            "private.example.net", List.of(ip("10.0.0.1")),
            "self.example.net", List.of(OWN_PUBLIC),
            "mapped.example.net", List.of(ip("2606:4700::1111"), ip("64:ff9b::a00:1")));
    private final Destinations publicOnly = new Destinations(List.of(), this::lookUp, () -> Set.of(OWN_PUBLIC, OWN_DOCUMENTATION));

    @Test
    void everySpecialPurposeRangeIsRefusedAtItsEdgesAndWithoutALookup() {
        List<String> hosts = new ArrayList<>();
        for (String range : SPECIAL_IPV4) {
            hosts.add(first(range));
            hosts.add(last(range));
        }
        for (String range : SPECIAL_IPV6) {
            hosts.add("[" + first(range) + "]");
            hosts.add("[" + last(range) + "]");
        }
        hosts.addAll(List.of("[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::ffff:169.254.169.254]", "[::127.0.0.1]", "[::8.8.8.8]",
                "[64:ff9b::10.0.0.1]", "[64:ff9b::a9fe:a9fe]", "[2002:c0a8:0101::1]", "[2002:7f00:1::]", "[2001:0:4136:e378::1]",
                "[::ffff:192.0.2.7]", "[64:ff9b::93.184.215.200]"));
        Destinations neverLooksUp = new Destinations(List.of(), DestinationsTest::noLookup, () -> Set.of(OWN_PUBLIC));
        assertThat(hosts).allSatisfy(host -> assertRefused(neverLooksUp, "http://" + host + "/"));
    }

    @Test
    void globallyRoutableAddressesPassAndAreTheAddressToConnectTo() {
        assertThat(publicOnly.require("https://93.184.215.14/hook").address()).isEqualTo(ip("93.184.215.14"));
        assertThat(publicOnly.require("http://[2606:4700::1111]:8443/").address()).isEqualTo(ip("2606:4700::1111"));
        assertThat(publicOnly.require("http://172.32.0.1/").address()).isEqualTo(ip("172.32.0.1"));
        assertThat(publicOnly.require("http://[::ffff:8.8.8.8]/").address()).isEqualTo(ip("8.8.8.8"));
        assertThat(publicOnly.require("http://[64:ff9b::8.8.8.8]/").address()).isEqualTo(ip("64:ff9b::808:808"));
        assertThat(publicOnly.require("http://[2002:808:808::1]/").address()).isEqualTo(ip("2002:808:808::1"));
    }

    @Test
    void theUrlIsSplitIntoWhatTheRequestNeeds() {
        assertThat(publicOnly.require("HTTPS://Hooks.Example.NET/in/put?a=1&b=%20#fragment"))
                .isEqualTo(new Destination("hooks.example.net", 443, true, "/in/put?a=1&b=%20", ip("93.184.215.14")));
        assertThat(publicOnly.require("http://hooks.example.net.")).isEqualTo(new Destination("hooks.example.net.", 80, false, "/",
                ip("93.184.215.14")));
        assertThat(publicOnly.require("http://[2606:4700::1111]:8443/x")).isEqualTo(new Destination("[2606:4700::1111]", 8443,
                false, "/x", ip("2606:4700::1111")));
        assertThat(publicOnly.require("http://93.184.215.14:65535/").port()).isEqualTo(65535);
        assertThat(publicOnly.require("http://93.184.215.14:1/").port()).isEqualTo(1);
    }

    @Test
    void ambiguousMalformedAndUnsupportedUrlFormsAreRefusedWithoutALookup() {
        Destinations neverLooksUp = new Destinations(List.of(), DestinationsTest::noLookup, Set::of);
        List<String> refused = List.of("http://2130706433/", "http://0x7f.1/", "http://0x7f.0.0.1/", "http://0x7f000001/",
                "http://0177.0.0.1/", "http://017.0.0.1/", "http://127.1/", "http://8.8.8.08/", "http://1.2.3.4.5/",
                "http://256.1.1.1/", "http://93.184.215.14./", "http://[fe80::1%25eth0]/", "http://[2606:4700::1111%25eth0]/",
                "http://[v1.x]/", "http://93.184.215.14:0/", "http://93.184.215.14:65536/", "http://93.184.215.14:99999/",
                "http://user:pw@93.184.215.14/", "http://user@93.184.215.14/", "ftp://93.184.215.14/", "file:///etc/passwd",
                "gopher://93.184.215.14/", "http:///path", "http:93.184.215.14", "//93.184.215.14/", "http://a_b.example.net/",
                "http://exämple.net/", "http://%31%32%37.0.0.1/", "not a url", "", " ", "http://93.184.215.14 /");
        assertThat(refused).allSatisfy(url -> assertRefused(neverLooksUp, url));
        assertRefused(neverLooksUp, null);
    }

    @Test
    void specialUseNamesAreRefusedWithoutALookup() {
        Destinations neverLooksUp = new Destinations(List.of(), DestinationsTest::noLookup, Set::of);
        assertThat(List.of("localhost", "LOCALHOST.", "api.localhost", "no-such-host.invalid", "printer.local", "a.test",
                "www.example", "db.internal", "x.onion", "x.alt", "router.home.arpa", "1.0.0.127.in-addr.arpa"))
                .allSatisfy(host -> assertRefused(neverLooksUp, "http://" + host + "/"));
    }

    @Test
    void aNamePassesOnlyWhenEveryAddressItResolvesToDoesAndTheRequestGoesToTheFirst() {
        assertThat(publicOnly.require("http://hooks.example.net/").address()).isEqualTo(ip("93.184.215.14"));
        assertRefused(publicOnly, "http://mixed.example.net/");
        assertRefused(publicOnly, "http://mapped.example.net/");
        assertRefused(publicOnly, "http://self.example.net/");
    }

    @Test
    void aNameThatDoesNotResolveIsRefusedInTheSameWordsAsOneThatResolvesPrivately() {
        assertThat(refusal(publicOnly, "http://nothing.example.net/").replace("nothing", "private"))
                .isEqualTo(refusal(publicOnly, "http://private.example.net/"));
        assertThat(refusal(publicOnly, "http://private.example.net/")).doesNotContain("10.0.0.1");
    }

    @Test
    void aNameIsCheckedAgainOnEachUseSoARebindingAnswerIsRefused() {
        AtomicReference<List<InetAddress>> answer = new AtomicReference<>(List.of(ip("93.184.215.14")));
        Destinations rebinding = new Destinations(List.of(), name -> answer.get(), Set::of);

        assertThat(rebinding.require("http://rebind.example.net/").address()).isEqualTo(ip("93.184.215.14"));
        answer.set(List.of(ip("169.254.169.254")));
        assertRefused(rebinding, "http://rebind.example.net/");
    }

    @Test
    void thisHostsAddressesAreReadAtEachCheck() {
        AtomicReference<Set<InetAddress>> own = new AtomicReference<>(Set.of());
        Destinations destinations = new Destinations(List.of(), this::lookUp, own::get);

        assertThat(destinations.require("http://93.184.215.200/")).isNotNull();
        own.set(Set.of(OWN_PUBLIC));
        assertThat(List.of("http://93.184.215.200/", "http://[::ffff:93.184.215.200]/", "http://[64:ff9b::5db8:d7c8]/",
                "http://[2002:5db8:d7c8::1]/", "http://self.example.net/")).allSatisfy(url -> assertRefused(destinations, url));
    }

    @Test
    void anAllowlistAdmitsOnlyItsNamesAddressesAndRangesWhateverTheyResolveTo() {
        Destinations allowlist = new Destinations(List.of("10.20.0.0/16", "127.0.0.1", " *.Localhost ", "private.example.net",
                "[fd00::]/8"), this::lookUp, DestinationsTest::noOwnAddresses);
        assertThat(allowlist.require("http://10.20.30.40/in").address()).isEqualTo(ip("10.20.30.40"));
        assertThat(allowlist.require("http://127.0.0.1:9000/in").address()).isEqualTo(ip("127.0.0.1"));
        assertThat(allowlist.require("http://[::ffff:127.0.0.1]:9000/in").address()).isEqualTo(ip("127.0.0.1"));
        assertThat(allowlist.require("http://[fd12::1]/").address()).isEqualTo(ip("fd12::1"));
        assertThat(allowlist.require("http://private.example.net/").address()).isEqualTo(ip("10.0.0.1"));
        assertThat(List.of("http://10.21.0.1/", "http://93.184.215.14/", "http://127.0.0.2/", "http://[::1]/",
                "http://hooks.example.net/", "http://mixed.example.net/", "http://localhost/", "http://no-such-host.invalid/",
                "http://2130706433/", "http://127.0.0.1:0/")).allSatisfy(url -> assertRefused(allowlist, url));
    }

    @Test
    void anAllowlistEntryThatIsNeitherANameNorAnAddressStopsTheService() {
        for (String entry : List.of("10.0.0.0/33", "10.1.2/8", "0x7f.1", "::1/129", "fe80::1%eth0", "10.0.0.0/x")) {
            assertThatThrownBy(() -> new Destinations(List.of(entry), DestinationsTest::noLookup, Set::of)).as(entry)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Property
    void everyAddressOfASpecialPurposeRangeIsRefused(@ForAll("specialAddresses") byte[] address) {
        assertThat(Destinations.isGlobalUnicast(address)).as(text(address)).isFalse();
        assertThat(Destinations.allowedByDefault(ip(address), Set.of())).as(text(address)).isFalse();
    }

    @Property
    void aSpecialIpv4AddressIsRefusedInEveryFormThatEmbedsIt(@ForAll("specialIpv4") byte[] ipv4, @ForAll Form form,
            @ForAll("noise") byte[] noise) {
        byte[] address = form.embed(ipv4, noise);
        assertThat(Destinations.isGlobalUnicast(address)).as(text(address)).isFalse();
        assertThat(Destinations.allowedByDefault(ip(address), Set.of())).as(text(address)).isFalse();
    }

    @Property
    void globallyRoutableAddressesPass(@ForAll("publicAddresses") byte[] address) {
        assertThat(Destinations.isGlobalUnicast(address)).as(text(address)).isTrue();
        assertThat(Destinations.allowedByDefault(ip(address), Set.of(OWN_PUBLIC))).as(text(address)).isTrue();
    }

    @Property
    void aPublicIpv4AddressPassesMappedThroughNat64Or6to4ButNotInTheDeprecatedCompatibleForm(@ForAll("publicIpv4") byte[] ipv4,
            @ForAll Form form, @ForAll("noise") byte[] noise) {
        byte[] address = form.embed(ipv4, noise);
        assertThat(Destinations.isGlobalUnicast(address)).as(text(address)).isEqualTo(form != Form.COMPATIBLE);
    }

    @Property
    void anAddressOfThisHostIsRefusedAsItIsAndInEveryForm(@ForAll("publicIpv4") byte[] own, @ForAll Form form,
            @ForAll("noise") byte[] noise, @ForAll("publicIpv6") byte[] ownIpv6) {
        Set<InetAddress> ownAddresses = Set.of(ip(own), ip(ownIpv6));
        assertThat(Destinations.allowedByDefault(ip(own), ownAddresses)).isFalse();
        assertThat(Destinations.allowedByDefault(ip(ownIpv6), ownAddresses)).isFalse();
        assertThat(Destinations.allowedByDefault(ip(form.embed(own, noise)), ownAddresses)).as(form.name()).isFalse();
    }

    @Property
    void aNameIsRefusedWhenAnyOneOfItsAddressesIsSpecial(@ForAll("publicAddressLists") List<byte[]> publics,
            @ForAll("specialAddresses") byte[] special, @ForAll("positions") int position) {
        List<InetAddress> answer = new ArrayList<>(publics.stream().map(DestinationsTest::ip).toList());
        answer.add(position % (answer.size() + 1), ip(special));
        Destinations destinations = new Destinations(List.of(), name -> answer, Set::of);

        assertRefused(destinations, "https://many.example.net/in");
        answer.remove(ip(special));
        assertThat(destinations.require("https://many.example.net/in").address()).isEqualTo(answer.get(0));
    }

    /** The ways an IPv6 address carries an IPv4 one. */
    enum Form {
        MAPPED, COMPATIBLE, NAT64, SIX_TO_FOUR;

        byte[] embed(byte[] ipv4, byte[] noise) {
            byte[] address = new byte[16];
            switch (this) {
                case MAPPED -> {
                    address[10] = (byte) 0xff;
                    address[11] = (byte) 0xff;
                    System.arraycopy(ipv4, 0, address, 12, 4);
                }
                case COMPATIBLE -> System.arraycopy(ipv4, 0, address, 12, 4);
                case NAT64 -> {
                    address[1] = 0x64;
                    address[2] = (byte) 0xff;
                    address[3] = (byte) 0x9b;
                    System.arraycopy(ipv4, 0, address, 12, 4);
                }
                case SIX_TO_FOUR -> {
                    address[0] = 0x20;
                    address[1] = 0x02;
                    System.arraycopy(ipv4, 0, address, 2, 4);
                    System.arraycopy(noise, 0, address, 6, 10);
                }
            }
            return address;
        }
    }

    @Provide
    Arbitrary<byte[]> specialIpv4() {
        return Arbitraries.oneOf(SPECIAL_IPV4.stream().map(DestinationsTest::within).toList());
    }

    @Provide
    Arbitrary<byte[]> specialAddresses() {
        List<Arbitrary<byte[]>> ranges = new ArrayList<>();
        SPECIAL_IPV4.forEach(range -> ranges.add(within(range)));
        SPECIAL_IPV6.forEach(range -> ranges.add(within(range)));
        return Arbitraries.oneOf(ranges);
    }

    @Provide
    Arbitrary<byte[]> publicIpv4() {
        return Combinators.combine(Arbitraries.of(PUBLIC_IPV4_FIRST_OCTETS), Arbitraries.bytes().array(byte[].class).ofSize(3))
                .as((first, rest) -> new byte[] {(byte) (int) first, rest[0], rest[1], rest[2]});
    }

    /** 2400::/6 as the regional registries hand it out, less 2620::/16, which holds AS112's 2620:4f:8000::/48. */
    @Provide
    Arbitrary<byte[]> publicIpv6() {
        return Combinators.combine(Arbitraries.integers().between(0x2400, 0x27ff).filter(first -> first != 0x2620),
                Arbitraries.bytes().array(byte[].class).ofSize(14)).as((first, rest) -> {
                    byte[] address = new byte[16];
                    address[0] = (byte) (first >> 8);
                    address[1] = (byte) (int) first;
                    System.arraycopy(rest, 0, address, 2, 14);
                    return address;
                });
    }

    @Provide
    Arbitrary<byte[]> publicAddresses() {
        return Arbitraries.oneOf(publicIpv4(), publicIpv6());
    }

    @Provide
    Arbitrary<List<byte[]>> publicAddressLists() {
        return publicAddresses().list().ofMinSize(1).ofMaxSize(5)
                .filter(list -> new HashSet<>(list.stream().map(DestinationsTest::ip).toList()).size() == list.size());
    }

    @Provide
    Arbitrary<Integer> positions() {
        return Arbitraries.integers().between(0, 5);
    }

    @Provide
    Arbitrary<byte[]> noise() {
        return Arbitraries.bytes().array(byte[].class).ofSize(10);
    }

    /** Addresses of {@code range} ("network/bits"), its host bits random. */
    private static Arbitrary<byte[]> within(String range) {
        byte[] network = ip(range.substring(0, range.indexOf('/'))).getAddress();
        int bits = Integer.parseInt(range.substring(range.indexOf('/') + 1));
        return Arbitraries.bytes().array(byte[].class).ofSize(network.length).map(random -> {
            byte[] address = network.clone();
            for (int bit = bits; bit < address.length * 8; bit++) {
                int mask = 0x80 >> (bit % 8);
                address[bit / 8] = (byte) ((address[bit / 8] & ~mask) | (random[bit / 8] & mask));
            }
            return address;
        });
    }

    private static String first(String range) {
        return range.substring(0, range.indexOf('/'));
    }

    private static String last(String range) {
        byte[] address = ip(first(range)).getAddress();
        int bits = Integer.parseInt(range.substring(range.indexOf('/') + 1));
        for (int bit = bits; bit < address.length * 8; bit++) {
            address[bit / 8] |= (byte) (0x80 >> (bit % 8));
        }
        return ip(address).getHostAddress();
    }

    private static void assertRefused(Destinations destinations, String url) {
        assertThatThrownBy(() -> destinations.require(url)).as(url).isInstanceOf(DestinationRefused.class);
    }

    private static String refusal(Destinations destinations, String url) {
        try {
            destinations.require(url);
        } catch (DestinationRefused problem) {
            return problem.getMessage();
        }
        throw new AssertionError(url + " was not refused");
    }

    private List<InetAddress> lookUp(String name) throws UnknownHostException {
        List<InetAddress> addresses = names.get(name);
        if (addresses == null) {
            throw new UnknownHostException(name);
        }
        return addresses;
    }

    private static List<InetAddress> noLookup(String name) {
        throw new AssertionError("looked up " + name);
    }

    private static Set<InetAddress> noOwnAddresses() {
        throw new AssertionError("an allowlist replaces the default rule, this host's addresses included");
    }

    /** An IP literal; in brackets the JDK only parses, so no test asks DNS. */
    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal.contains(":") ? "[" + literal + "]" : literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static InetAddress ip(byte[] address) {
        try {
            return InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String text(byte[] address) {
        return ip(address).getHostAddress() + " " + Arrays.toString(address);
    }
}
