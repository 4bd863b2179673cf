#!/usr/bin/env bash
# Build the secrets benchmark corpus: real third-party code (npm packages installed with
# --ignore-scripts, unpacked PyPI wheels) in a few Lambda-style function directories, plus
# first-party function files, then plant fake secrets (plant.py). Downloads are cached under
# $BENCH_OUT/cache, so a second run is offline. Registries (npm, PyPI) are the only network used.
#
#   BENCH_OUT=/var/tmp/faasguard-secrets-bench benches/secrets/build_corpus.sh
#
# Result: $BENCH_OUT/corpus (the scan target) and $BENCH_OUT/planted.jsonl (the manifest).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="${BENCH_OUT:-/var/tmp/faasguard-secrets-bench}"
CACHE="$OUT/cache"
CORPUS="$OUT/corpus"
PY="${PYTHON:-python3}"
mkdir -p "$CACHE/npm" "$CACHE/wheels" "$CACHE/npm-cache"

# --- npm: each function dir gets its own node_modules (cached as a tarball per function) ---
# name|packages (pinned majors; exact versions are recorded in each dir's package-lock.json)
NPM_FUNCS=(
  "orders-api|aws-sdk@2 express@4 lodash@4 moment@2 axios@1 uuid@9 jsonwebtoken@9 pg@8 mysql2@3"
  "media-pipeline|@aws-sdk/client-s3@3 @aws-sdk/client-dynamodb@3 @aws-sdk/lib-dynamodb@3 @aws-sdk/client-sqs@3 @aws-sdk/client-sns@3 @aws-sdk/client-secrets-manager@3 sharp@0.33 date-fns@3 zod@3"
  "notify-worker|@aws-sdk/client-ses@3 @aws-sdk/client-eventbridge@3 @aws-sdk/client-lambda@3 nodemailer@6 @slack/web-api@7 stripe@14 twilio@5 @sendgrid/mail@8 mongoose@8 ioredis@5"
  "web-ssr|typescript@5 @types/node@20 @types/aws-lambda@8 esbuild@0.20 graphql@16 @apollo/server@4 webpack@5 rxjs@7 @middy/core@5 winston@3"
)
for spec in "${NPM_FUNCS[@]}"; do
  name="${spec%%|*}"; pkgs="${spec#*|}"
  tarball="$CACHE/npm/$name.tar"
  if [[ ! -s "$tarball" ]]; then
    work="$CACHE/npm/$name.work"; rm -rf "$work"; mkdir -p "$work"
    (cd "$work" && printf '{"name":"%s","version":"1.0.0","private":true}\n' "$name" > package.json \
      && npm install --ignore-scripts --no-audit --no-fund --cache "$CACHE/npm-cache" $pkgs >/dev/null)
    tar -C "$work" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$work"
  fi
done

# --- PyPI: wheels only, no deps resolution surprises (explicit list), unpacked per function ---
PY_FUNCS=(
  "etl-job|boto3 botocore s3transfer jmespath sqlalchemy psycopg2-binary pandas numpy python-dateutil pytz"
  "api-handler|aws-lambda-powertools pydantic pydantic-core requests urllib3 idna certifi charset-normalizer fastapi starlette mangum"
  "ml-infer|scikit-learn scipy joblib pyyaml jinja2 markupsafe cryptography cffi pyjwt redis pymongo"
)
for spec in "${PY_FUNCS[@]}"; do
  name="${spec%%|*}"; pkgs="${spec#*|}"
  dir="$CACHE/wheels/$name"
  if [[ ! -f "$dir/.done" ]]; then
    mkdir -p "$dir"
    # shellcheck disable=SC2086
    "$PY" -m pip download --only-binary=:all: --no-deps --python-version 3.12 \
      --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 \
      --implementation cp --abi cp312 --abi abi3 --abi none -d "$dir" $pkgs >/dev/null
    touch "$dir/.done"
  fi
done

# --- assemble the corpus (fresh every run, so planting is reproducible) ---
rm -rf "$CORPUS"; mkdir -p "$CORPUS"
for spec in "${NPM_FUNCS[@]}"; do
  name="${spec%%|*}"; mkdir -p "$CORPUS/$name"; tar -C "$CORPUS/$name" -xf "$CACHE/npm/$name.tar"
done
for spec in "${PY_FUNCS[@]}"; do
  name="${spec%%|*}"; sp="$CORPUS/$name/package/python/lib/python3.12/site-packages"; mkdir -p "$sp"
  for whl in "$CACHE/wheels/$name"/*.whl; do "$PY" -m zipfile -e "$whl" "$sp"; done
done
# first-party function files (handlers, configs, notebook, minified bundle) and the planted secrets
"$PY" "$HERE/plant.py" --corpus "$CORPUS" --manifest "$OUT/planted.jsonl" --seed 20261124

echo "corpus: $CORPUS"
echo "  $(find "$CORPUS" -type f | wc -l) files, $(du -sb "$CORPUS" | cut -f1) bytes (du -sb)"
echo "  text bytes: $(find "$CORPUS" -type f -print0 | xargs -0 cat | wc -c)"
echo "manifest: $OUT/planted.jsonl ($(wc -l < "$OUT/planted.jsonl") planted)"
