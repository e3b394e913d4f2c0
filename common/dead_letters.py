"""Dead letters over HTTP (admin only): what this service's worker group dead-lettered, and
its replay. The same as `glo-act dlq list|replay`, for the console's operations page."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from kafka.errors import KafkaError
from marshmallow import Schema, fields, validate

from common import dlq
from common.auth import requires
from common.producer import EventProducer
from common.schemas import Strict
from common.topics import EVENT_TOPICS, PREFIX

blp = Blueprint("dead-letters", __name__, url_prefix="/admin/dead-letters",
                description="Messages this service's worker gave up on, and their replay")
BASE_TOPICS = tuple(t[len(PREFIX):] for t in EVENT_TOPICS)


class DeadLetterOut(Schema):
    topic = fields.String()
    partition = fields.Integer()
    offset = fields.Integer()
    event_id = fields.String(allow_none=True)
    group = fields.String(allow_none=True)
    attempts = fields.String(allow_none=True)
    error = fields.String(allow_none=True)


class ReplayIn(Strict):
    topic = fields.String(required=True, validate=validate.OneOf(BASE_TOPICS),
                          metadata={"description": "the original topic, e.g. sessions.events"})


class ReplayOut(Schema):
    topic = fields.String()
    replayed = fields.Integer()


def _settings():
    return current_app.config["SETTINGS"]


@blp.route("")
class DeadLetters(MethodView):
    @requires("admin")
    @blp.response(200, DeadLetterOut(many=True))
    def get(self):
        """Dead letters of this service's consumer group, every topic (admin)."""
        settings = _settings()
        found = []
        try:
            for topic in EVENT_TOPICS:
                for letter in dlq.list_dead_letters(settings.kafka_bootstrap, topic, idle_s=0.5):
                    summary = letter.summary()
                    if summary["group"] == settings.consumer_group:
                        found.append({**summary, "topic": topic[len(PREFIX):]})
        except KafkaError:
            abort(503, message="Kafka unavailable: dead letters cannot be read now")
        return found


@blp.route("/replay", methods=["POST"])
@requires("admin")
@blp.arguments(ReplayIn)
@blp.response(200, ReplayOut)
def replay(body):
    """Put this group's dead letters of a topic back on it, once each (admin)."""
    settings = _settings()
    topic = PREFIX + body["topic"]
    try:
        producer = EventProducer(settings.kafka_bootstrap, f"{settings.service}-dlq-replay")
        try:
            count = dlq.replay(settings.kafka_bootstrap, topic,
                               f"{settings.stack}.dlq-replay.{topic}.{settings.service}",
                               producer, only_group=settings.consumer_group, idle_s=0.5)
        finally:
            producer.close()
    except KafkaError:
        abort(503, message="Kafka unavailable: nothing was replayed")
    return {"topic": body["topic"], "replayed": count}
