#!/usr/bin/env bash
# Build the vulnerable-dependencies benchmark tree: one Node function with an unpacked
# node_modules (npm install --ignore-scripts of pinned packages, some of them old releases with
# published advisories) and one Python function with a site-packages of unpacked PyPI wheels
# (pinned, --no-deps, some old and vulnerable). Downloads are cached under $BENCH_OUT/cache, so a
# second run is offline. Registries (npm, PyPI) are the only network used.
#
#   BENCH_OUT=/var/tmp/faasguard-vulns-bench benches/vulns/build_corpus.sh
#
# Result: $BENCH_OUT/tree (the scan target), $BENCH_OUT/site-packages.txt (name==version of every
# unpacked distribution, the requirements file given to pip-audit) and the package counts.
set -euo pipefail
OUT="${BENCH_OUT:-/var/tmp/faasguard-vulns-bench}"
CACHE="$OUT/cache"
TREE="$OUT/tree"
PY="${PYTHON:-python3}"
mkdir -p "$CACHE/wheels" "$CACHE/npm-cache"

# --- npm: one function, realistic dependencies plus old releases with known advisories ---
NPM_PKGS=(
  # runtime SDKs and frameworks
  aws-sdk@2.814.0 @aws-sdk/client-s3@3.300.0 @aws-sdk/client-dynamodb@3.300.0 @aws-sdk/client-sqs@3.300.0
  @aws-sdk/client-lambda@3.300.0 @aws-sdk/client-secrets-manager@3.300.0 @aws-sdk/lib-dynamodb@3.300.0
  express@4.17.1 mongoose@5.12.0 sequelize@6.3.5 mysql2@2.2.5 pg@8.5.1 socket.io@2.3.0
  # build and test tooling deployed along (a common mistake: devDependencies in the bundle)
  serverless@3.35.2 jest@29.7.0 webpack@5.88.2 webpack-dev-server@4.15.1 typescript@5.2.2 eslint@8.50.0
  @babel/core@7.22.20 @nestjs/cli@10.1.18 firebase-admin@11.11.0 nodemon@2.0.4 mocha@8.1.3 ts-node@10.9.1
  # old releases with published advisories
  lodash@4.17.15 minimist@1.2.0 node-fetch@2.6.0 axios@0.21.0 jsonwebtoken@8.5.1 moment@2.29.1
  handlebars@4.5.0 ws@7.4.0 xml2js@0.4.23 follow-redirects@1.13.0 underscore@1.12.0 ejs@3.1.6
  node-forge@0.10.0 ua-parser-js@0.7.28 qs@6.5.2 tough-cookie@2.5.0 request@2.88.2 semver@5.7.1
  json5@1.0.1 shell-quote@1.7.2 crypto-js@4.1.1 protobufjs@6.11.2 jquery@3.4.1 validator@13.5.1
  dompurify@2.0.7 marked@1.1.0
)
NPM_TAR="$CACHE/node-fn.tar"
if [[ ! -s "$NPM_TAR" ]]; then
  work="$CACHE/node-fn.work"; rm -rf "$work"; mkdir -p "$work"
  (cd "$work" && printf '{"name":"orders-api","version":"1.0.0","private":true}\n' > package.json \
    && npm install --ignore-scripts --no-audit --no-fund --legacy-peer-deps --save-exact \
         --cache "$CACHE/npm-cache" "${NPM_PKGS[@]}" >/dev/null)
  tar -C "$work" -cf "$NPM_TAR.tmp" . && mv "$NPM_TAR.tmp" "$NPM_TAR"
  rm -rf "$work"
fi

# --- PyPI: pinned wheels for CPython 3.8 on manylinux (a python3.8 Lambda), no dependency
# resolution (the list is the closure), each downloaded on its own so one failure is reported ---
PY_PKGS=(
  # old releases with published advisories
  django==2.2.0 jsonpickle==1.4.1 requests==2.19.1 urllib3==1.24.1 jinja2==2.10 flask==0.12.2
  werkzeug==0.15.3 pyjwt==1.7.1 paramiko==2.4.1 httplib2==0.18.0 rsa==4.0 pillow==8.1.0 lxml==4.6.2
  cryptography==3.2 aiohttp==3.7.3 ujson==4.0.1 fastapi==0.60.0 starlette==0.13.6 pydantic==1.6.1
  uvicorn==0.11.7 setuptools==50.3.2 wheel==0.35.1 pip==20.2.4 babel==2.8.0 mako==1.1.3
  gunicorn==19.9.0 waitress==1.4.3 pygments==2.5.2 bleach==3.1.0 py==1.9.0 tqdm==4.50.0
  joblib==0.14.1 pyopenssl==19.1.0 ecdsa==0.13 python-jose==3.2.0 sentry-sdk==0.19.4 nltk==3.6.2
  twisted==21.2.0 celery==4.4.7 pycryptodome==3.9.8 tornado==6.1 numpy==1.19.5 sqlalchemy==1.3.20
  scikit-learn==0.23.2 protobuf==3.14.0 grpcio==1.34.0 certifi==2018.8.24 idna==2.7 mpmath==1.2.1
  # the rest of a typical function's closure
  sqlparse==0.3.0 pytz==2019.1 chardet==3.0.4 boto3==1.9.253 botocore==1.12.253 s3transfer==0.2.1
  jmespath==0.9.4 python-dateutil==2.8.0 six==1.12.0 docutils==0.15.2 itsdangerous==1.1.0 click==7.0
  pyasn1==0.4.8 pyasn1-modules==0.2.8 oauthlib==3.1.0 requests-oauthlib==1.3.0 google-auth==1.23.0
  cachetools==4.1.1 attrs==20.3.0 async-timeout==3.0.1 typing-extensions==3.7.4.3 redis==3.5.3
  elasticsearch==7.10.0 marshmallow==3.9.1 h11==0.9.0 alembic==1.4.3 markdown==3.3.3 html5lib==1.1
  webencodings==0.5.1 beautifulsoup4==4.9.3 soupsieve==2.0.1 pytest==6.1.2 pluggy==0.13.1
  packaging==20.4 pyparsing==2.4.7 more-itertools==8.6.0 iniconfig==1.1.1 toml==0.10.2
  filelock==3.0.12 colorama==0.4.4 tabulate==0.8.7 decorator==4.4.2 aws-xray-sdk==2.6.0
  aws-lambda-powertools==1.9.0 xmltodict==0.12.0 defusedxml==0.6.0 openpyxl==3.0.5 et-xmlfile==1.1.0
  xlrd==1.2.0 sympy==1.6.2 networkx==2.5 asn1crypto==1.4.0 passlib==1.7.4 structlog==20.1.0
  jsonschema==3.2.0 importlib-metadata==2.0.0 zipp==3.4.0 distlib==0.3.1 kombu==4.6.11 amqp==2.6.1
  vine==1.3.0 billiard==3.6.3.0 pymysql==0.9.3 pycparser==2.20 dnspython==1.16.0 pandas==1.1.5
  cffi==1.14.3 psycopg2-binary==2.8.6 multidict==5.1.0 yarl==1.6.3 markupsafe==1.1.1 bcrypt==3.2.0
  pynacl==1.4.0 scipy==1.5.4 msgpack==1.0.2 regex==2020.11.13 simplejson==3.17.2 wrapt==1.14.1
  psutil==5.8.0 threadpoolctl==2.1.0 wcwidth==0.2.5
)
# PyYAML 5.3 (CVE-2020-14343 and others) was published without Linux wheels: it is built into a
# wheel from its PyPI sdist, as `pip install pyyaml==5.3` would on a Linux build host.
PY_SDIST=(pyyaml==5.3)
WHL="$CACHE/wheels"
: > "$OUT/pip-failures.txt"
for spec in "${PY_PKGS[@]}"; do
  stamp="$WHL/.${spec//[=]/_}"
  [[ -f "$stamp" ]] && continue
  if "$PY" -m pip download -q --only-binary=:all: --no-deps --python-version 3.8 \
      --platform manylinux1_x86_64 --platform manylinux2010_x86_64 --platform manylinux2014_x86_64 \
      --platform manylinux_2_17_x86_64 --implementation cp --abi cp38 --abi abi3 --abi none \
      -d "$WHL" "$spec" >/dev/null 2>&1; then
    touch "$stamp"
  else
    echo "$spec" | tee -a "$OUT/pip-failures.txt" >&2
  fi
done
for spec in "${PY_SDIST[@]}"; do
  stamp="$WHL/.${spec//[=]/_}"
  [[ -f "$stamp" ]] && continue
  "$PY" -m pip wheel -q --no-deps --no-binary :all: -w "$WHL" "$spec" >/dev/null && touch "$stamp"
done

# --- assemble the tree (fresh every run) ---
rm -rf "$TREE"; mkdir -p "$TREE/orders-api" "$TREE/etl-job"
tar -C "$TREE/orders-api" -xf "$NPM_TAR"
# a deployed bundle carries node_modules and package.json; the lockfile stays in the repository
mv "$TREE/orders-api/package-lock.json" "$OUT/orders-api.package-lock.json"
printf 'exports.handler = async () => ({ statusCode: 200 });\n' > "$TREE/orders-api/handler.js"
SP="$TREE/etl-job/package/python/lib/python3.8/site-packages"
mkdir -p "$SP"
for whl in "$WHL"/*.whl; do "$PY" -m zipfile -e "$whl" "$SP"; done
printf 'def handler(event, context):\n    return {"statusCode": 200}\n' > "$TREE/etl-job/handler.py"

# --- counts ---
"$PY" - "$TREE" "$SP" "$OUT/site-packages.txt" <<'PY'
import json, os, sys, email.parser
tree, sp, req = sys.argv[1:4]
nm = os.path.join(tree, "orders-api", "node_modules")
npm = set()
for root, dirs, files in os.walk(nm):
    if "package.json" in files and os.path.basename(os.path.dirname(root)) in ("node_modules",) or \
       "package.json" in files and os.path.basename(os.path.dirname(os.path.dirname(root))) == "node_modules" and os.path.basename(os.path.dirname(root)).startswith("@"):
        try:
            d = json.load(open(os.path.join(root, "package.json"), encoding="utf-8"))
        except Exception:
            continue
        if d.get("name") and d.get("version"):
            npm.add((os.path.relpath(root, nm), d["name"], d["version"]))
py = []
for e in sorted(os.listdir(sp)):
    if e.endswith(".dist-info"):
        m = email.parser.Parser().parse(open(os.path.join(sp, e, "METADATA"), encoding="utf-8"), headersonly=True)
        py.append((m["Name"], m["Version"]))
with open(req, "w") as f:
    for n, v in py:
        f.write(f"{n}=={v}\n")
print(f"node_modules: {len(npm)} installed packages ({len({(n, v) for _, n, v in npm})} distinct name@version)")
print(f"site-packages: {len(py)} distributions (*.dist-info) -> {req}")
PY
echo "tree: $TREE  ($(find "$TREE" -type f | wc -l) files, $(du -sh "$TREE" | cut -f1))"
if [[ -s "$OUT/pip-failures.txt" ]]; then echo "wheels not available (skipped): $(tr '\n' ' ' < "$OUT/pip-failures.txt")"; fi
