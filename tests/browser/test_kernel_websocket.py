"""The kernel websocket survives a "stale connection" replacement with binder's server settings.

What JupyterLab does on a kernel restart, done by hand: a websocket to the kernel, then a second one
with the same session id while the first is still open and still sending (Lab closes the old socket
and opens the new one at once; when the server sees the new one first it logs "Replacing stale
connection" and closes the old). With jupyter_server's default v1.kernel.websocket.jupyter.org
protocol, the closed handler reads what still arrives on it as the default protocol
(`struct.error: unpack requires a buffer of 402653184 bytes` in deserialize_binary_message) and the
new socket's first reply can go missing, so widgets never appear. binder/jupyter_server_config.json
keeps the default protocol (README's command too); with it, every reply arrives and nothing is misread.
"""

import asyncio
import json
import time
import uuid

import pytest

import browser_helpers as bh

pytestmark = pytest.mark.slow             # starts a Jupyter server


def test_a_replaced_stale_connection_loses_no_reply(tmp_path):
    from jupyter_client.session import Session
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    (tmp_path / "root").mkdir()
    server = bh.JupyterServer("lab", tmp_path / "root", tmp_path / "jupyter")
    session = Session(session=uuid.uuid4().hex, username="test")

    def message(msg_type, content):
        msg = session.msg(msg_type, content)
        msg["channel"] = "shell"
        return msg["header"]["msg_id"], json.dumps(msg, default=str)

    async def connect(kernel_id):
        url = (f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels"
               f"?session_id={session.session}&token={server.token}")
        # Offer both protocols, as JupyterLab does; the server picks.
        return await websocket_connect(HTTPRequest(url), subprotocols=["v1.kernel.websocket.jupyter.org"])

    async def reply_to(socket, msg_id, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                raw = await asyncio.wait_for(socket.read_message(), deadline - time.monotonic())
            except asyncio.TimeoutError:
                break
            if raw is None:
                return None
            assert isinstance(raw, str), "the server sent a v1 frame: binder's protocol setting is not in effect"
            msg = json.loads(raw)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"].endswith("_reply"):
                return msg["msg_type"]
        return None

    async def scenario(kernel_id):
        old = await connect(kernel_id)
        assert old.selected_subprotocol is None, "binder's settings should keep the default protocol"
        new_socket = asyncio.ensure_future(connect(kernel_id))
        while not new_socket.done():                       # the old socket keeps talking meanwhile
            try:
                await old.write_message(message("comm_info_request", {})[1])
            except Exception:
                break
            await asyncio.sleep(0.002)
        new = await new_socket
        answers = []
        for msg_type, content in [("kernel_info_request", {}),
                                  ("execute_request", {"code": "1 + 1", "silent": False, "store_history": False,
                                                       "user_expressions": {}, "allow_stdin": False})]:
            msg_id, text = message(msg_type, content)
            await new.write_message(text)
            answers.append(await reply_to(new, msg_id))
        new.close()
        return answers

    try:
        kernel = server.api("/api/kernels", method="POST", timeout=60)
        answers = asyncio.run(scenario(kernel["id"]))
        log = server.log(tail=10**6)
        assert "Replacing stale connection" in log, "the scenario did not replace a stale connection"
        assert "struct.error" not in log, log[-3000:]
        assert answers == ["kernel_info_reply", "execute_reply"], (answers, log[-3000:])
    finally:
        server.stop()
