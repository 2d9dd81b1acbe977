/* proto_decode.h — reading protocol messages (the types are protocol.h).
 *
 * Decoding uses a bounds-checked cursor (not msgpack-c's unpacker, which
 * trusts declared sizes): every length is checked against the bytes that
 * remain and against the caps of protocol.h before anything is allocated,
 * so a hostile frame costs at most its own size.
 */
#ifndef LRS_PROTO_DECODE_H
#define LRS_PROTO_DECODE_H

#include <stddef.h>

#include "common/err.h"
#include "common/protocol.h"

/* Decodes one frame.  -1 with err (code 2) naming what is wrong — truncated,
 * trailing bytes, wrong version, unknown type, wrong field type, a cap
 * exceeded — and nothing allocated; 0 with *msg filled otherwise. */
int lrs_proto_decode(const void *frame, size_t len, lrs_msg_t *msg, lrs_err_t *err);

/* A frame of another protocol version, which lrs_proto_decode refuses:
 * 1 when frame starts [version, type, ...] with version other than
 * LRS_PROTO_VERSION, *version set and, for a REJECT in either layout ever
 * used ([v, REJECT, reason] or [v, REJECT, code, reason]), its reason in
 * reason (cut to size; "" otherwise).  0 for anything else.  This layout is
 * the part of the protocol that never changes: it is how two versions tell
 * each other apart. */
int lrs_proto_foreign(const void *frame, size_t len, uint64_t *version, char *reason, size_t size);

#endif
