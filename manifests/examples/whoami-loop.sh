#!/bin/sh
# Asks AWS who this pod is every few minutes, for longer than a session lasts, so that refreshed
# credentials show up. Nothing here fetches credentials: the AWS CLI's container-credentials provider
# reads AWS_CONTAINER_CREDENTIALS_FULL_URI and the token file AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
# itself. Each `aws` run is a new process that asks TVM again; TVM answers from its cache while at least
# half of the session remains, so the expiry printed below moves forward about every half session.
set -u

: "${AWS_CONTAINER_CREDENTIALS_FULL_URI:?set AWS_CONTAINER_CREDENTIALS_FULL_URI}"
: "${AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE:?set AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE}"
minutes=${RUN_MINUTES:-90}
interval=${INTERVAL_SECONDS:-300}
end=$(( $(date +%s) + minutes * 60 ))

while [ "$(date +%s)" -lt "$end" ]; do
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  # Only the identity and the expiry are printed, never a key or a token.
  arn=$(aws sts get-caller-identity --query Arn --output text 2>&1)
  expires=$(aws configure export-credentials --format process 2>/dev/null \
    | sed -n 's/.*"Expiration": *"\([^"]*\)".*/\1/p')
  echo "$now $arn (credentials until ${expires:-unknown})"
  sleep "$interval"
done
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) done after $minutes minutes"
