"""Schemathesis hooks for tests/fuzz/run.sh (loaded through SCHEMATHESIS_HOOKS).

`POST /api/v1/inbound/email` takes a raw message (`message/rfc822`), which schemathesis has no
serializer for: send the generated body as bytes, like `application/octet-stream`.
"""

import schemathesis

schemathesis.serializer.alias("message/rfc822", "application/octet-stream")
