package dev.datastores.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datastores.http.ProblemException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The destination rules without a running service: IP literals need no DNS. */
class DestinationsTest {

    private final Destinations publicOnly = new Destinations(List.of());

    @Test
    void withoutAnAllowlistLoopbackPrivateLinkLocalAndSpecialAddressesAreRefused() {
        List<String> refused = List.of("http://127.0.0.1/", "http://127.9.9.9:8080/x", "http://[::1]/", "http://10.1.2.3/",
                "http://172.16.0.1/", "http://172.31.255.255/", "http://192.168.1.1/", "http://169.254.169.254/latest",
                "http://[fe80::1]/", "http://[fd00::1]/", "http://100.64.0.1/", "http://0.0.0.0/", "http://[::]/",
                "http://224.0.0.1/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:10.0.0.1]/", "http://localhost/");
        for (String url : refused) {
            assertThatThrownBy(() -> publicOnly.require(url)).as(url).isInstanceOfSatisfying(ProblemException.class,
                    problem -> assertThat(problem.slug()).isEqualTo("destination-not-allowed"));
        }
    }

    @Test
    void withoutAnAllowlistPublicAddressesPass() {
        assertThat(publicOnly.require("https://93.184.215.14/hook").getHost()).isEqualTo("93.184.215.14");
        assertThat(publicOnly.require("http://[2606:4700::1111]:8443/").getPort()).isEqualTo(8443);
        assertThat(publicOnly.require("http://172.32.0.1/")).isNotNull();
    }

    @Test
    void anAllowlistAdmitsOnlyItsHostsAddressesAndRanges() {
        Destinations allowlist = new Destinations(List.of("10.20.0.0/16", "127.0.0.1", " *.localhost "));
        assertThat(allowlist.require("http://10.20.30.40/in")).isNotNull();
        assertThat(allowlist.require("http://127.0.0.1:9000/in")).isNotNull();
        assertThatThrownBy(() -> allowlist.require("http://10.21.0.1/")).isInstanceOf(ProblemException.class);
        assertThatThrownBy(() -> allowlist.require("http://93.184.215.14/")).isInstanceOf(ProblemException.class);
        assertThatThrownBy(() -> allowlist.require("http://127.0.0.2/")).isInstanceOf(ProblemException.class);
    }

    @Test
    void onlyHttpUrlsWithAHostAndNoCredentialsAreAccepted() {
        for (String url : new String[] {"ftp://93.184.215.14/", "file:///etc/passwd", "http:///path", "not a url", "",
                "http://user:pw@93.184.215.14/", "gopher://93.184.215.14/"}) {
            assertThatThrownBy(() -> publicOnly.require(url)).as(url).isInstanceOf(ProblemException.class);
        }
        assertThatThrownBy(() -> publicOnly.require(null)).isInstanceOf(ProblemException.class);
    }
}
