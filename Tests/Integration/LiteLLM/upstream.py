#!/usr/bin/env python3
"""A scripted OpenAI- and Anthropic-compatible upstream for the LiteLLM integration tests.

Standard library only (http.server, threading). It listens on loopback and answers what
LiteLLM's mock_response cannot express; config.yaml routes proxy models here through
api_base. The same server can be called directly, to compare a direct answer with the one
that went through the proxy.

The answer is chosen by the request's "model" field (after any "openai/" or "anthropic/"
prefix LiteLLM strips):

  OpenAI format, POST /v1/chat/completions (also /chat/completions):
    label-json            200, content '{"label": "billing"}', finish_reason stop
    ratelimit-every-3rd   429 with Retry-After: 2 and x-ratelimit-* headers on every 3rd
                          request for this model (3rd, 6th, ...), otherwise like label-json
                          with x-ratelimit-remaining-requests 1, then 0
    ratelimit-always      429 with Retry-After: 2 and x-ratelimit-* headers, every time
    server-error          500 with an OpenAI-style error body, every time
    unauthorized          401 "Incorrect API key provided", every time
    truncated             200, content cut short, finish_reason length
    anything else         400 "Invalid model name passed in model=...", the very body the
                          LiteLLM proxy itself sends for a model it does not know
  OpenAI format, POST /v1/embeddings: 200 with one 8-dimensional vector per input.
  Anthropic format, POST /v1/messages (also /messages):
    claude-tool           200, a tool_use block calling "classify" with {"label": "billing"},
                          stop_reason tool_use
    claude-text           200, text '{"label": "billing"}', stop_reason end_turn
    claude-max-tokens     200, text cut short, stop_reason max_tokens
    claude-ratelimit      429 rate_limit_error with retry-after: 2, every time
    claude-unauthorized   401 authentication_error, every time
    anything else         404 not_found_error, as Anthropic answers an unknown model

  GET /health             200 {"status": "ok"}
  GET /v1/models          the model names above
  GET /_requests          what this server received: per model, how many requests, and for
                          each the path and whether an Authorization or x-api-key header was
                          present (never its value), the body's top-level keys, its
                          temperature and its response_format type
  POST /_reset            forgets the counters and the request log

Usage: upstream.py [--host 127.0.0.1] [--port 0] [--port-file PATH]
With --port 0 (the default) the kernel picks a free port; it is printed as UPSTREAM_PORT=N
on stdout and, with --port-file, written to that file once the server listens.
"""

import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LABEL_JSON = '{"label": "billing"}'
TRUNCATED_TEXT = '{"label": "bill'

OPENAI_MODELS = (
    "label-json",
    "ratelimit-every-3rd",
    "ratelimit-always",
    "server-error",
    "unauthorized",
    "truncated",
)
ANTHROPIC_MODELS = ("claude-tool", "claude-text", "claude-max-tokens", "claude-ratelimit", "claude-unauthorized")
RATE_LIMIT_HEADERS = {
    "Retry-After": "2",
    "x-ratelimit-limit-requests": "3",
    "x-ratelimit-remaining-requests": "0",
    "x-ratelimit-reset-requests": "2s",
    "x-ratelimit-limit-tokens": "1000",
    "x-ratelimit-remaining-tokens": "0",
    "x-ratelimit-reset-tokens": "2s",
}


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.log = []
        self.sequence = 0

    def record(self, model, path, headers, body):
        with self.lock:
            self.counts[model] = self.counts.get(model, 0) + 1
            self.sequence += 1
            self.log.append(
                {
                    "seq": self.sequence,
                    "time": round(time.time(), 3),
                    "model": model,
                    "path": path,
                    "authorization_present": headers.get("Authorization") is not None,
                    "x_api_key_present": headers.get("x-api-key") is not None,
                    "body_keys": sorted(body),
                    "temperature": body.get("temperature"),
                    "response_format_type": (body.get("response_format") or {}).get("type"),
                }
            )
            return self.counts[model]

    def snapshot(self):
        with self.lock:
            return {"counts": dict(self.counts), "requests": list(self.log)}

    def reset(self):
        with self.lock:
            self.counts.clear()
            self.log.clear()


STATE = State()


def strip_prefix(model):
    for prefix in ("openai/", "anthropic/"):
        if model.startswith(prefix):
            return model[len(prefix):]
    return model


def chat_completion(model, content, finish_reason):
    return {
        "id": "chatcmpl-squire-upstream",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {"prompt_tokens": 12, "completion_tokens": 6, "total_tokens": 18},
    }


def openai_error(message, type_, code, param=None):
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def anthropic_message(model, content, stop_reason):
    return {
        "id": "msg_squire_upstream",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": 12, "output_tokens": 6},
    }


class Handler(BaseHTTPRequestHandler):
    server_version = "SquireUpstream/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # one line per request on stderr, no headers
        sys.stderr.write("upstream: %s %s\n" % (self.address_string(), format % args))

    def send_json(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def read_json(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            return None

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path in ("/health", "/v1/health"):
            self.send_json(200, {"status": "ok"})
        elif path in ("/v1/models", "/models"):
            names = OPENAI_MODELS + ANTHROPIC_MODELS
            self.send_json(200, {"object": "list", "data": [{"id": n, "object": "model"} for n in names]})
        elif path == "/_requests":
            self.send_json(200, STATE.snapshot())
        else:
            self.send_json(404, openai_error(f"no route {path}", "invalid_request_error", "not_found"))

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        if path == "/_reset":
            STATE.reset()
            self.send_json(200, {"reset": True})
            return
        body = self.read_json()
        if not isinstance(body, dict):
            self.send_json(400, openai_error("body is not a JSON object", "invalid_request_error", "invalid_json"))
            return
        model = strip_prefix(str(body.get("model", "")))
        count = STATE.record(model, path, self.headers, body)
        if path in ("/v1/chat/completions", "/chat/completions"):
            self.chat(model, count)
        elif path in ("/v1/embeddings", "/embeddings"):
            self.embeddings(model, body)
        elif path in ("/v1/messages", "/messages"):
            self.messages(model)
        else:
            self.send_json(404, openai_error(f"no route {path}", "invalid_request_error", "not_found"))

    def chat(self, model, count):
        if model == "label-json":
            self.send_json(200, chat_completion(model, LABEL_JSON, "stop"))
        elif model == "ratelimit-every-3rd":
            if count % 3 == 0:
                self.send_json(
                    429,
                    openai_error(
                        "Rate limit reached for requests (scripted: every 3rd request).",
                        "requests",
                        "rate_limit_exceeded",
                    ),
                    RATE_LIMIT_HEADERS,
                )
            else:
                remaining = str(3 - count % 3 - 1)
                self.send_json(
                    200,
                    chat_completion(model, LABEL_JSON, "stop"),
                    {
                        "x-ratelimit-limit-requests": "3",
                        "x-ratelimit-remaining-requests": remaining,
                        "x-ratelimit-reset-requests": "2s",
                    },
                )
        elif model == "ratelimit-always":
            self.send_json(
                429,
                openai_error("Rate limit reached for requests (scripted).", "requests", "rate_limit_exceeded"),
                RATE_LIMIT_HEADERS,
            )
        elif model == "server-error":
            self.send_json(
                500,
                openai_error("The server had an error while processing your request (scripted).", "server_error", None),
            )
        elif model == "unauthorized":
            self.send_json(
                401,
                openai_error(
                    "Incorrect API key provided: sk-dummy. You can find your API key at "
                    "https://platform.openai.com/account/api-keys.",
                    "invalid_request_error",
                    "invalid_api_key",
                ),
            )
        elif model == "truncated":
            self.send_json(200, chat_completion(model, TRUNCATED_TEXT, "length"))
        else:
            # Byte for byte the body the LiteLLM proxy (1.108.7) itself sends, with HTTP 400,
            # for a model name it does not serve.
            message = (
                f"/chat/completions: Invalid model name passed in model={model}. "
                "Call `/v1/models` to view available models for your key."
            )
            body = openai_error(message, "invalid_request_error", "400")
            body["error"]["provider_specific_fields"] = {"error": message}
            self.send_json(400, body)

    def embeddings(self, model, body):
        inputs = body.get("input", "")
        if isinstance(inputs, str):
            inputs = [inputs]
        data = [
            {"object": "embedding", "index": i, "embedding": [round(0.1 * (k + 1), 1) for k in range(8)]}
            for i, _ in enumerate(inputs)
        ]
        self.send_json(
            200,
            {"object": "list", "data": data, "model": model, "usage": {"prompt_tokens": 3, "total_tokens": 3}},
        )

    def messages(self, model):
        if model == "claude-tool":
            content = [
                {
                    "type": "tool_use",
                    "id": "toolu_squire_01",
                    "name": "classify",
                    "input": {"label": "billing"},
                }
            ]
            self.send_json(200, anthropic_message(model, content, "tool_use"))
        elif model == "claude-text":
            self.send_json(200, anthropic_message(model, [{"type": "text", "text": LABEL_JSON}], "end_turn"))
        elif model == "claude-max-tokens":
            self.send_json(200, anthropic_message(model, [{"type": "text", "text": TRUNCATED_TEXT}], "max_tokens"))
        elif model == "claude-unauthorized":
            self.send_json(
                401,
                {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}},
            )
        elif model == "claude-ratelimit":
            self.send_json(
                429,
                {"type": "error", "error": {"type": "rate_limit_error", "message": "Rate limited (scripted)."}},
                {"retry-after": "2", "anthropic-ratelimit-requests-remaining": "0"},
            )
        else:
            self.send_json(
                404,
                {"type": "error", "error": {"type": "not_found_error", "message": f"model: {model}"}},
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    args = parser.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("upstream.py listens on loopback only")
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(f"{port}\n")
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"UPSTREAM_PORT={port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
