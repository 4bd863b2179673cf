terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "us-east-1"
}

data "archive_file" "charge" {
  type        = "zip"
  source_dir  = "${path.module}/lambda/charge"
  output_path = "${path.module}/build/charge.zip"
}

data "archive_file" "refund" {
  type        = "zip"
  source_dir  = "${path.module}/lambda/refund"
  output_path = "${path.module}/build/refund.zip"
}

data "aws_iam_policy_document" "assume_lambda" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "payments" {
  name               = "payments-lambda"
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
}

resource "aws_iam_role_policy_attachment" "payments_admin" {
  role       = aws_iam_role.payments.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

data "aws_iam_policy_document" "payments" {
  statement {
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue", "kms:Decrypt"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "payments" {
  name   = "payments-secrets"
  role   = aws_iam_role.payments.id
  policy = data.aws_iam_policy_document.payments.json
}

resource "aws_lambda_function" "charge" {
  function_name    = "payments-charge"
  filename         = data.archive_file.charge.output_path
  source_code_hash = data.archive_file.charge.output_base64sha256
  handler          = "index.handler"
  runtime          = "nodejs16.x"
  role             = aws_iam_role.payments.arn
  timeout          = 30

  environment {
    variables = {
      STRIPE_SECRET_KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dcPaymentsDemo"
      LOG_LEVEL         = "info"
    }
  }
}

resource "aws_lambda_function" "refund" {
  function_name                  = "payments-refund"
  filename                       = data.archive_file.refund.output_path
  source_code_hash               = data.archive_file.refund.output_base64sha256
  handler                        = "index.handler"
  runtime                        = "nodejs24.x"
  role                           = aws_iam_role.payments.arn
  reserved_concurrent_executions = 5

  tracing_config {
    mode = "Active"
  }
}

resource "aws_lambda_function_url" "charge" {
  function_name      = aws_lambda_function.charge.function_name
  authorization_type = "NONE"
}

resource "aws_lambda_permission" "public_refund" {
  statement_id  = "AllowAnyone"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.refund.function_name
  principal     = "*"
}

resource "aws_lambda_permission" "s3_refund" {
  statement_id  = "AllowS3"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.refund.function_name
  principal     = "s3.amazonaws.com"
}
