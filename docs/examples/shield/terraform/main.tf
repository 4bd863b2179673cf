# A Python function guarded by faasguard-shield, with no code change. Build the layer first
# (`faasguard shield layer --output faasguard-shield-x86_64.zip` in this directory), then
# `terraform init && terraform apply`.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = ">= 2.4"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

resource "aws_lambda_layer_version" "faasguard_shield" {
  layer_name               = "faasguard-shield-x86_64"
  description              = "faasguard-shield runtime protection (exec wrapper, LD_PRELOAD library, Python and Node shims)"
  filename                 = "${path.module}/faasguard-shield-x86_64.zip"
  source_code_hash         = filebase64sha256("${path.module}/faasguard-shield-x86_64.zip")
  compatible_architectures = ["x86_64"]
  compatible_runtimes      = ["python3.12", "python3.13", "nodejs22.x", "nodejs24.x"]
  license_info             = "Apache-2.0"
}

data "archive_file" "orders" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/build/orders.zip"
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "orders" {
  name               = "orders-function"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

resource "aws_iam_role_policy_attachment" "orders_logs" {
  role       = aws_iam_role.orders.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_lambda_function" "orders" {
  function_name    = "orders"
  role             = aws_iam_role.orders.arn
  handler          = "app.handler"
  runtime          = "python3.12"
  architectures    = ["x86_64"]
  memory_size      = 256
  timeout          = 10
  filename         = data.archive_file.orders.output_path
  source_code_hash = data.archive_file.orders.output_base64sha256
  layers           = [aws_lambda_layer_version.faasguard_shield.arn]

  tracing_config {
    mode = "Active"
  }

  environment {
    variables = {
      # Lambda runs /opt/faasguard-shield <runtime command...>.
      AWS_LAMBDA_EXEC_WRAPPER = "/opt/faasguard-shield"
      # Every control blocks unless overridden below.
      FAASGUARD_SHIELD_MODE = "block"
      # Writes under /tmp are logged, not refused.
      FAASGUARD_SHIELD_TMP = "alert"
      # Outbound: AWS endpoints and one partner API (the Runtime API, DNS and loopback are
      # always allowed).
      FAASGUARD_SHIELD_ALLOW = "aws,api.stripe.com:443"
    }
  }
}

output "faasguard_shield_layer_arn" {
  value = aws_lambda_layer_version.faasguard_shield.arn
}
