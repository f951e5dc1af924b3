package dev.datastores.transfer;

import java.net.InetAddress;

/**
 * A destination that passed {@link Destinations}: the request goes to {@code address}, the one that was
 * checked, while {@code host} (as written in the URL) stays the name for the Host header and TLS.
 */
record Destination(String host, int port, boolean tls, String target, InetAddress address) {
}
