#!/usr/bin/env bash
# Attach faasguard-shield to an existing function with the AWS CLI (no code change):
# build the layer, publish it, add it to the function's layers and set the wrapper variables,
# keeping the layers and variables the function already has.
#
#   FUNCTION=orders ARCH=x86_64 bash cli.sh
#
# Needs the aws CLI (v2), jq, and faasguard with the shield binaries built next to it
# (`cargo build --release -p faasguard-cli -p faasguard-shield -p faasguard-shield-preload`).
set -euo pipefail

FUNCTION="${FUNCTION:?set FUNCTION to the function name or ARN}"
ARCH="${ARCH:-x86_64}" # x86_64 or arm64: the function's architecture
MODE="${MODE:-block}"
ALLOW="${ALLOW:-aws}"
zip="faasguard-shield-$ARCH.zip"

faasguard shield layer --output "$zip"

layer_arn=$(aws lambda publish-layer-version \
  --layer-name "faasguard-shield-$ARCH" \
  --description "faasguard-shield runtime protection" \
  --license-info Apache-2.0 \
  --compatible-architectures "$ARCH" \
  --compatible-runtimes python3.12 python3.13 nodejs22.x nodejs24.x \
  --zip-file "fileb://$zip" \
  --query LayerVersionArn --output text)
echo "published $layer_arn" >&2

# update-function-configuration replaces the whole layer list and the whole variable map:
# read both first and merge.
config=$(aws lambda get-function-configuration --function-name "$FUNCTION" --output json)
layers=$(jq -r --arg new "$layer_arn" '
  [(.Layers // [])[].Arn | select(test(":layer:faasguard-shield-") | not)] + [$new] | .[]
' <<<"$config")
environment=$(jq -c --arg mode "$MODE" --arg allow "$ALLOW" '
  {Variables: ((.Environment.Variables // {}) + {
    AWS_LAMBDA_EXEC_WRAPPER: "/opt/faasguard-shield",
    FAASGUARD_SHIELD_MODE: $mode,
    FAASGUARD_SHIELD_ALLOW: $allow
  })}
' <<<"$config")

# shellcheck disable=SC2086 # one layer ARN per word
aws lambda update-function-configuration \
  --function-name "$FUNCTION" \
  --layers $layers \
  --environment "$environment" \
  --query '{Function: FunctionName, Layers: Layers[].Arn, State: LastUpdateStatus}' \
  --output json
aws lambda wait function-updated-v2 --function-name "$FUNCTION"
echo "attached: the next cold start prints a faasguard-shield init line in the function's logs" >&2
