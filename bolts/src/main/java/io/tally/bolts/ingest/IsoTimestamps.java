package io.tally.bolts.ingest;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * ISO-8601 date-times to epoch milliseconds. Every event carries one to four of them, and java.time's general
 * parser was the largest single cost of ingest in a profile (a fifth of the parsing thread), so the one form
 * SDKs send, {@code 2026-11-20T10:15:00.250Z} (optionally with {@code ±HH:MM} instead of {@code Z}), is read
 * directly, from the parser's own character buffer (no string per timestamp); anything else goes to java.time
 * (seconds optional), and without an offset means UTC.
 */
final class IsoTimestamps {
    private IsoTimestamps() {
    }

    /**
     * Epoch milliseconds of the text in {@code chars[offset, offset + length)}; throws {@link DateTimeException} for
     * text that is not an ISO-8601 date-time.
     */
    static long toEpochMillis(char[] chars, int offset, int length) {
        long fast = canonical(chars, offset, length);
        if (fast != Long.MIN_VALUE) {
            return fast;
        }
        String text = new String(chars, offset, length);
        try {
            try {
                return OffsetDateTime.parse(text).toInstant().toEpochMilli();
            } catch (DateTimeException withOffsetOrZ) {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC).toEpochMilli();
            }
        } catch (ArithmeticException outOfRange) {
            // java.time reads years up to ±999,999,999; epoch milliseconds end near ±292,000,000.
            throw new DateTimeException("'" + text + "' is beyond the range of epoch milliseconds");
        }
    }

    /** The canonical form read by position; {@link Long#MIN_VALUE} when the text is not in it. */
    private static long canonical(char[] chars, int offset, int n) {
        if (n < 20) {
            return Long.MIN_VALUE;
        }
        CharView s = new CharView(chars, offset);
        if (s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return Long.MIN_VALUE;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 7);
        int day = digits(s, 8, 10);
        int hour = digits(s, 11, 13);
        int minute = digits(s, 14, 16);
        int second = digits(s, 17, 19);
        if ((year | month | day | hour | minute | second) < 0 || month < 1 || month > 12 || day < 1
                || hour > 23 || minute > 59 || second > 59) {
            return Long.MIN_VALUE;
        }
        int i = 19;
        int millis = 0;
        if (s.charAt(i) == '.') {
            int scale = 100;
            i++;
            int start = i;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                millis += (s.charAt(i) - '0') * scale;
                scale /= 10;
                i++;
            }
            if (i == start || i - start > 9) {
                return Long.MIN_VALUE;
            }
        }
        int offsetSeconds;
        if (i == n - 1 && s.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
            int offsetHours = digits(s, i + 1, i + 3);
            int offsetMinutes = digits(s, i + 4, i + 6);
            if ((offsetHours | offsetMinutes) < 0 || offsetHours > 18 || offsetMinutes > 59) {
                return Long.MIN_VALUE;
            }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (s.charAt(i) == '-' ? -1 : 1);
        } else {
            return Long.MIN_VALUE;
        }
        if (day > 28 && day > LocalDate.of(year, month, 1).lengthOfMonth()) {
            return Long.MIN_VALUE;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        long seconds = epochDay * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        return seconds * 1000L + millis;
    }

    /** The text of a timestamp inside the parser's buffer, indexed from its first character. */
    private record CharView(char[] chars, int offset) {
        char charAt(int index) {
            return chars[offset + index];
        }
    }

    /** The non-negative number in {@code s[from, to)}, or -1 if any character is not a digit. */
    private static int digits(CharView s, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
