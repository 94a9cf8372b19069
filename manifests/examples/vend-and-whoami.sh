#!/bin/sh
# Trades this pod's TVM-audience service-account token for AWS credentials, then asks AWS whose they are.
set -eu

: "${TVM_URL:?set TVM_URL}" "${TVM_TOKEN_FILE:?set TVM_TOKEN_FILE}"
answer=/tmp/vend.json
# With TVM_CA_FILE (an installation serving HTTPS with its own CA), curl trusts that CA for TVM.
set --
if [ -n "${TVM_CA_FILE:-}" ]; then
  set -- --cacert "$TVM_CA_FILE"
fi

# Retries connection failures and 5xx (503 is what TVM answers while an upstream is briefly unavailable).
status=$(curl --silent --show-error --max-time 20 \
  --retry 10 --retry-delay 3 --retry-connrefused "$@" \
  --request POST --header "Authorization: Bearer $(cat "$TVM_TOKEN_FILE")" \
  --output "$answer" --write-out '%{http_code}' "$TVM_URL")

if [ "$status" != 200 ]; then
  echo "TVM answered HTTP $status:" >&2
  cat "$answer" >&2
  echo >&2
  exit 1
fi

# The answer is one line of JSON whose keys are the variable names the AWS CLI reads. Without jq in
# the image, read each string with sed; JSON escapes '+' as \u002B, which base64 values contain.
field() {
  sed -n "s/.*\"$1\" *: *\"\([^\"]*\)\".*/\1/p" "$answer" | sed 's/\\u002[Bb]/+/g; s#\\/#/#g'
}
AWS_ACCESS_KEY_ID=$(field AWS_ACCESS_KEY_ID)
AWS_SECRET_ACCESS_KEY=$(field AWS_SECRET_ACCESS_KEY)
AWS_SESSION_TOKEN=$(field AWS_SESSION_TOKEN)
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
echo "TVM issued credentials until $(field AWS_CREDENTIAL_EXPIRATION)"
rm -f "$answer"

aws sts get-caller-identity
