package io.tally.spouts.objectstore;

import java.io.IOException;

/** The version being read is no longer there: the object was overwritten (its ETag differs) or deleted. */
final class ObjectChangedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final boolean deleted;

    ObjectChangedException(StoredObject object, boolean deleted) {
        super("s3 object " + object + (deleted ? " was deleted" : " was overwritten: its ETag no longer matches"));
        this.deleted = deleted;
    }

    boolean deleted() {
        return deleted;
    }
}
