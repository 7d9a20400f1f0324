#!/usr/bin/env bash
# Deploys the Customers API to Fermyon Cloud (`spin deploy`, cloud plugin 0.7 or later).
#
# Fermyon Cloud runs the whole application and scales it by itself; its SQLite database
# ("NoOps SQL") is linked to the app's `default` label and shared by every instance, and the
# components create the schema on their first request (no `spin up --sqlite` needed; Cloud has
# none). The key-value store `default` is the app's own, shared by its instances: it caches the
# issuer's JWKS.
#
# Cloud has no selective deployment, so the local token issuer is deployed with the rest; with
# `dev_issuer_enabled=false` it answers 404 on both its routes and its keys are not trusted,
# and `dev_clients` is emptied as well.
#
# Usage, from anywhere (values are your issuer's; nothing secret is needed here):
#   JWT_ISSUER=https://partner.auth.example.com/ \
#   JWT_AUDIENCE=https://api.customers.example.com \
#   JWT_JWKS_URL=https://partner.auth.example.com/.well-known/jwks.json \
#   deploy/fermyon-cloud/deploy.sh
# Optional: CORS_ALLOWED_ORIGINS (default none), ORGANISATION_CLAIM (default Entur's),
# CUSTOMERS_DATABASE (the Cloud database to link, created if missing; default customers).
#
# Later changes of a setting need no redeploy:
#   spin cloud variables set --app customers-api jwt_jwks_url=https://...
# and the database link can be inspected or changed with `spin cloud sqlite list` and
# `spin cloud link sqlite --app customers-api --database <name> default`.
set -euo pipefail

: "${JWT_ISSUER:?set JWT_ISSUER to the iss your tokens carry}"
: "${JWT_AUDIENCE:?set JWT_AUDIENCE to the audience your tokens carry}"
: "${JWT_JWKS_URL:?set JWT_JWKS_URL to the https URL of the JWKS of your issuer}"
case "$JWT_JWKS_URL" in
  https://*) ;;
  *) echo "JWT_JWKS_URL must be an https:// URL" >&2; exit 2 ;;
esac

cd "$(dirname "$0")/../.."
spin build
spin deploy \
  --link "sqlite:default=${CUSTOMERS_DATABASE:-customers}" \
  --variable "jwt_issuer=${JWT_ISSUER}" \
  --variable "jwt_audience=${JWT_AUDIENCE}" \
  --variable "jwt_jwks_url=${JWT_JWKS_URL}" \
  --variable "organisation_claim=${ORGANISATION_CLAIM:-https://entur.io/organisationID}" \
  --variable "cors_allowed_origins=${CORS_ALLOWED_ORIGINS:-}" \
  --variable "dev_issuer_enabled=false" \
  --variable "dev_clients=[]"
