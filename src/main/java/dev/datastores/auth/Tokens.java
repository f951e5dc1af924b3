package dev.datastores.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** API key tokens: generated with 256 bits of randomness, kept only as SHA-256 digests. */
public final class Tokens {

    public static final String PREFIX = "dsk_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {
    }

    public static String generate() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    public static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** Constant-time comparison, so a token cannot be guessed byte by byte from response times. */
    public static boolean matches(String presented, String expected) {
        return MessageDigest.isEqual(hash(presented), hash(expected));
    }
}
