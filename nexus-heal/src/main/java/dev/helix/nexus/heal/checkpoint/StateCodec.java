package dev.helix.nexus.heal.checkpoint;

/**
 * Turns a component's state into bytes and back, for the on-disk checkpoint journal. {@code decode(encode(s))} must
 * equal {@code s}, and encoding must be deterministic (equal states give equal bytes): corruption is detected by
 * comparing checksums of encodings.
 *
 * @param <S> the state type
 */
public interface StateCodec<S> {

    byte[] encode(S state);

    /** Decodes; throws (any RuntimeException) when the bytes are not a valid state. */
    S decode(byte[] bytes);
}
