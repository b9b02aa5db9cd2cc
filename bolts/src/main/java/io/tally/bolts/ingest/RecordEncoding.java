package io.tally.bolts.ingest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The byte-level checks a record passes before it is parsed: strict UTF-8, no NUL byte, and no escaped half of a
 * surrogate pair, each refused with its own reason, so that the parser and everything after it see Unicode text only.
 * Holds a decoder and its buffer, reused: one per ingestor, as an ingestor serves one task.
 *
 * <p>Checked before parsing, a record that is not UTF-8 is {@code invalid_utf8} wherever the bad byte is (Jackson
 * would call most of them {@code invalid_json}, depending on which token it was reading), and a UTF-8 record with a
 * NUL byte is {@code invalid_json}: JSON allows none, and Jackson would otherwise take a NUL near the start for UTF-16
 * or UTF-32 and accept such a record.
 */
final class RecordEncoding {
    private final CharsetDecoder strictUtf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    /** Where the UTF-8 check decodes into. */
    private final CharBuffer decodeScratch = CharBuffer.allocate(4096);

    /** Not UTF-8 anywhere is invalid_utf8 (binary garbage too, NUL bytes or not); UTF-8 with a NUL byte is invalid_json. */
    void check(byte[] payload) throws InvalidRecord {
        if (isPlainAscii(payload)) {
            return; // nearly every record
        }
        boolean ascii = true;
        int firstNul = -1;
        for (int i = 0; i < payload.length; i++) {
            byte b = payload[i];
            if (b == 0 && firstNul < 0) {
                firstNul = i;
            }
            ascii &= b >= 0;
        }
        if (!ascii) {
            ByteBuffer bytes = ByteBuffer.wrap(payload);
            strictUtf8.reset();
            CoderResult result;
            do { // only validating: the decoded text is thrown away, a chunk at a time
                result = strictUtf8.decode(bytes, decodeScratch.clear(), true);
            } while (result.isOverflow());
            if (result.isError()) {
                throw new InvalidRecord(RejectReason.INVALID_UTF8, "the bytes are not UTF-8: a malformed sequence at"
                        + " byte " + bytes.position());
            }
        }
        if (firstNul >= 0) {
            throw new InvalidRecord(RejectReason.INVALID_JSON, "a NUL byte at byte " + firstNul
                    + "; JSON text has none (is the record UTF-16 or binary?)");
        }
        checkSurrogateEscapes(payload);
    }

    /**
     * Refuses an escape of half a UTF-16 surrogate pair (a backslash, {@code u} and four hex digits from D800 to
     * DFFF) that is not followed, or preceded, by an escape of the other half. Such a string is not Unicode text:
     * Jackson decodes it anyway, and the Cassandra driver then refuses to bind it, which would fail the batch on
     * every replay. UTF-8 bytes cannot encode a surrogate (the strict decoder refuses them), so escapes are the
     * only way one gets in.
     */
    private static void checkSurrogateEscapes(byte[] payload) throws InvalidRecord {
        int i = 0;
        while (i < payload.length) {
            if (payload[i] != '\\') {
                i++;
                continue;
            }
            int unit = escapedUnit(payload, i);
            if (unit >= 0xD800 && unit <= 0xDBFF) {
                int low = escapedUnit(payload, i + 6);
                if (low < 0xDC00 || low > 0xDFFF) {
                    throw unpairedSurrogate(unit, i);
                }
                i += 12;
            } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
                throw unpairedSurrogate(unit, i);
            } else {
                i += unit >= 0 ? 6 : 2; // a two-character escape, such as an escaped backslash, is skipped whole
            }
        }
    }

    /** The code unit of the escape (a backslash, {@code u}, four hex digits) at {@code at}; -1 when there is none. */
    private static int escapedUnit(byte[] payload, int at) {
        return at + 1 < payload.length && payload[at] == '\\' && payload[at + 1] == 'u' ? hexUnit(payload, at + 2) : -1;
    }

    /** The four hex digits at {@code at} as a UTF-16 code unit, or -1 when they are not four hex digits. */
    private static int hexUnit(byte[] payload, int at) {
        if (at + 4 > payload.length) {
            return -1;
        }
        int unit = 0;
        for (int i = at; i < at + 4; i++) {
            int digit = Character.digit(payload[i], 16);
            if (digit < 0) {
                return -1;
            }
            unit = unit * 16 + digit;
        }
        return unit;
    }

    private static InvalidRecord unpairedSurrogate(int unit, int at) {
        return new InvalidRecord(RejectReason.INVALID_JSON, String.format(Locale.ROOT,
                "the escape \\u%04X at byte %d is half of a UTF-16 surrogate pair without the other half, so it is "
                        + "not a character", unit, at));
    }

    /**
     * Whether every byte is in 0x01..0x7F and none is a backslash (so no escape needs a look), eight bytes at a time:
     * a byte with its high bit set is not ASCII, {@code (w - 0x01..01) & ~w & 0x80..80} is non-zero exactly when a
     * byte of {@code w} is zero, and the same of {@code w ^ 0x5C..5C} when one is a backslash.
     */
    static boolean isPlainAscii(byte[] payload) {
        int i = 0;
        for (; i + Long.BYTES <= payload.length; i += Long.BYTES) {
            long w = (long) LONGS.get(payload, i);
            long b = w ^ BACKSLASHES;
            if (((w | ((w - LOW_BITS) & ~w) | ((b - LOW_BITS) & ~b)) & HIGH_BITS) != 0) {
                return false;
            }
        }
        for (; i < payload.length; i++) {
            if (payload[i] <= 0 || payload[i] == '\\') { // negative: the high bit is set
                return false;
            }
        }
        return true;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LOW_BITS = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long BACKSLASHES = 0x5C5C5C5C5C5C5C5CL;
}
