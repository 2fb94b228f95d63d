package dev.helix.nexus.heal.cgroup;

import java.io.IOException;

/** A cgroup operation failed: the file could not be read or written, or the controller is not available. */
public final class CgroupException extends IOException {

    private static final long serialVersionUID = 1L;

    public CgroupException(String message) {
        super(message);
    }

    public CgroupException(String message, Throwable cause) {
        super(message, cause);
    }
}
