#!/bin/sh
# Installs the real Bitrix24 clients the compatibility test runs, into DIR
# (default target/compat): a Python venv with fast_bitrix24 and b24pysdk, and
# @bitrix24/b24jssdk from npm. Each part may fail on its own (no network, no
# runtime); the test then skips that client with a loud message.
DIR=${1:-target/compat}
mkdir -p "$DIR"
cd "$DIR" || exit 1
if [ ! -x venv/bin/python ] || ! venv/bin/python -c 'import fast_bitrix24, b24pysdk' 2>/dev/null; then
    # Pinned: the versions the compatibility test was written against.
    python3 -m venv venv && venv/bin/pip install -q fast_bitrix24==1.8.14 b24pysdk==1.3.2 \
        || echo "compat setup: the Python clients could not be installed" >&2
fi
if [ ! -d node_modules/@bitrix24/b24jssdk ]; then
    [ -f package.json ] || echo '{"name":"b24tel-compat","private":true}' > package.json
    npm install --silent --no-audit --no-fund @bitrix24/b24jssdk@2.2.0 \
        || echo "compat setup: @bitrix24/b24jssdk could not be installed" >&2
fi
exit 0
