"""A Flask endpoint that does nothing, served like the services: the HTTP baseline."""

from flask import Flask

app = Flask("bare")


@app.get("/nothing")
def nothing():
    return {"ok": True}


@app.post("/nothing")
def nothing_posted():
    return {"ok": True}, 201
