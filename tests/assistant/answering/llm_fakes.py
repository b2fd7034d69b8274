"""Stand-ins for an LLM: a LangChain fake chat model that records its prompts, and a small
OpenAI-compatible /v1/chat/completions server (JSON and SSE streaming) on 127.0.0.1."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import Request  # at module level: FastAPI resolves the string annotation here
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

Reply = Callable[[str], str]  # the whole prompt (all messages joined) -> the model's reply


class RecordingChatModel(GenericFakeChatModel):
    """Replies with ``reply(prompt)`` and keeps every prompt it was sent (streaming included:
    GenericFakeChatModel streams by splitting what ``_generate`` returns)."""

    reply: Callable[[str], str]
    prompts: list[list[BaseMessage]] = []
    messages: Iterator[AIMessage | str] = iter(())

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:
        self.prompts.append(list(messages))
        text = self.reply(joined(messages))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


def joined(messages: list[Any]) -> str:
    return "\n".join(str(m.content if hasattr(m, "content") else m["content"])
                     for m in messages)


def passage_number(prompt: str, needle: str) -> int:
    """The n of the first <passage n="…"> block of ``prompt`` that contains ``needle``."""
    for n, body in re.findall(r'<passage n="(\d+)">(.*?)</passage>', prompt, re.DOTALL):
        if needle in body:
            return int(n)
    raise AssertionError(f"no passage with {needle!r} in the prompt")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def openai_server(reply: Reply) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Serve /v1/chat/completions on 127.0.0.1; yields (base_url, requests received)."""
    import uvicorn
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse, StreamingResponse

    app = FastAPI()
    received: list[dict[str, Any]] = []

    @app.post("/v1/chat/completions")
    async def completions(request: Request) -> Any:
        body = await request.json()
        received.append({"body": body, "authorization": request.headers.get("authorization")})
        text = reply(joined(body["messages"]))
        base = {"id": "chatcmpl-test", "created": int(time.time()), "model": body["model"]}
        if not body.get("stream"):
            return JSONResponse({**base, "object": "chat.completion", "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text},
                 "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})

        def events() -> Iterator[str]:
            pieces = re.findall(r"\S+\s*", text)
            for i, piece in enumerate(pieces):
                delta = {"content": piece, **({"role": "assistant"} if i == 0 else {})}
                yield "data: " + json.dumps({**base, "object": "chat.completion.chunk",
                                             "choices": [{"index": 0, "delta": delta,
                                                          "finish_reason": None}]}) + "\n\n"
            yield "data: " + json.dumps({**base, "object": "chat.completion.chunk", "choices": [
                {"index": 0, "delta": {}, "finish_reason": "stop"}]}) + "\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("the test OpenAI server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/v1", received
    finally:
        server.should_exit = True
        thread.join(timeout=10)
