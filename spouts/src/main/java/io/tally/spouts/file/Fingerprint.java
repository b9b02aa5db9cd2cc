package io.tally.spouts.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A digest of a file's first bytes, as stored on disk (compressed, for a gzip file). With the filesystem key it tells
 * one file from another that was given the same inode, or from the same inode truncated and written anew: an inode
 * alone is reused as soon as its file is deleted.
 *
 * @param length how many of the first bytes were digested (up to {@link #MAX_BYTES}; fewer while the file is shorter)
 * @param digest their SHA-256, hex, shortened
 */
record Fingerprint(int length, String digest) {
    static final int MAX_BYTES = 1024;
    private static final int DIGEST_BYTES = 12;

    /** The fingerprint of the first {@code length} bytes, or {@code null} when the file is shorter than that. */
    static Fingerprint read(FileChannel channel, int length) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(length);
        while (bytes.hasRemaining()) {
            if (channel.read(bytes, bytes.position()) < 0) {
                return null;
            }
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes.array());
            return new Fingerprint(length, HexFormat.of().formatHex(digest, 0, DIGEST_BYTES));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** As stored in a batch's metadata. */
    String describe() {
        return length + ":" + digest;
    }

    static Fingerprint parse(Object stored) {
        if (stored == null) {
            return null;
        }
        String text = stored.toString();
        int colon = text.indexOf(':');
        return new Fingerprint(Integer.parseInt(text.substring(0, colon)), text.substring(colon + 1));
    }
}
