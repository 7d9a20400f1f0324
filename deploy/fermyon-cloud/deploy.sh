#!/usr/bin/env bash
# Deploys the Customers API to Fermyon Cloud (`spin deploy`, cloud plugin 0.7 or later).
#
# Fermyon Cloud runs the whole application and scales it by itself; its SQLite database
# ("NoOps SQL") is linked to the app's `default` label and shared by every instance, and the
# components create the schema on their first request (no `spin up --sqlite` needed; Cloud has
# none). The key-value label `default` is linked the same way, to a named Cloud key-value store
# shared by every instance (and by any other app you link to it): it caches the issuer's JWKS.
#
# Both `--link`s are needed: with any `--link` the cloud plugin (0.7 and later) links without
# asking, and then every label the components use needs one; a missing one fails the first
# deploy with "No link specified for label 'default'". On later deploys labels already linked
# keep their link.
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
# CUSTOMERS_DATABASE (the Cloud database to link, created if missing; default customers),
# CUSTOMERS_KV_STORE (the Cloud key-value store to link, created if missing; default
# customers-cache).
#
# Later changes of a setting need no redeploy:
#   spin cloud variables set --app customers-api jwt_jwks_url=https://...
# and the links can be inspected or changed with `spin cloud sqlite list`, `spin cloud kv list`,
# `spin cloud link sqlite --app customers-api --database <name> default` and
# `spin cloud link kv --app customers-api --store <name> default`.
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
  --link "kv:default=${CUSTOMERS_KV_STORE:-customers-cache}" \
  --variable "jwt_issuer=${JWT_ISSUER}" \
  --variable "jwt_audience=${JWT_AUDIENCE}" \
  --variable "jwt_jwks_url=${JWT_JWKS_URL}" \
  --variable "organisation_claim=${ORGANISATION_CLAIM:-https://entur.io/organisationID}" \
  --variable "cors_allowed_origins=${CORS_ALLOWED_ORIGINS:-}" \
  --variable "dev_issuer_enabled=false" \
  --variable "dev_clients=[]"
