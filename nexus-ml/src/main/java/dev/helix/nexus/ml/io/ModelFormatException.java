package dev.helix.nexus.ml.io;

import java.io.IOException;

/** A model file is corrupt, truncated, of an unsupported version, or does not fit the model. */
public final class ModelFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message. */
    public ModelFormatException(String message) {
        super(message);
    }
}
