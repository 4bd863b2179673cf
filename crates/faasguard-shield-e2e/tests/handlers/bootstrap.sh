#!/bin/sh
# faasguard-shield e2e: the hand-off a managed runtime's bootstrap makes when the function sets
# AWS_LAMBDA_EXEC_WRAPPER: it execs the wrapper with the runtime command and the handler, and
# the wrapper execs the runtime. Arguments: the runtime command (interpreter and client).
if [ -z "$AWS_LAMBDA_EXEC_WRAPPER" ]; then
  echo "bootstrap: AWS_LAMBDA_EXEC_WRAPPER is not set" >&2
  exit 1
fi
exec "$AWS_LAMBDA_EXEC_WRAPPER" "$@" "$_HANDLER"
