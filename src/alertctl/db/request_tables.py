"""The tables a request's saves write: the request, its saves, and the outbox (the alerts,
their delivery attempts, and the faults that left alerts out).

Imported on first use, through `alertctl.db.tables`: a command on the configuration alone
does not pay for creating these classes, the largest of the schema.
"""

from datetime import datetime

from sqlmodel import Field

from alertctl.db.row import Row


class Request(Row, table=True):
    """A support request (*demande*), as of its latest save."""

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True)
    contract_id: int | None = Field(default=None, foreign_key="contract.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    site_id: int | None = Field(default=None, foreign_key="site.id", index=True)
    product_id: int | None = Field(default=None, foreign_key="product.id", index=True)
    service_id: int | None = Field(default=None, foreign_key="service.id", index=True)
    requester_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    title: str
    external_description: str | None = None
    status_id: int = Field(foreign_key="status.id", index=True)
    state: str | None = None
    open_fired: bool = False
    created_at: datetime
    updated_at: datetime


class RequestSave(Row, table=True):
    """One save of a request: what changed, which events it raised, who was superseded."""

    __tablename__ = "request_save"
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    save_key: str = Field(unique=True)
    saved_at: datetime
    previous_status_id: int | None = Field(default=None, foreign_key="status.id")
    status_id: int = Field(foreign_key="status.id")
    changes: str = "{}"  # JSON: field -> [old, new]
    events: str = ""  # comma-separated, most specific first
    superseded: str = "[]"  # JSON: the alerts a more specific event of this save replaced


class Alert(Row, table=True):
    """The outbox: one message to one person on one channel, written with the save."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # save key, person, channel: a replayed save adds nothing
    save_id: int = Field(foreign_key="request_save.id", index=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    event: str
    # None once the person was erased: the alert stays in the history, without them.
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    channel: str
    address: str
    sources: str  # comma-separated
    subject: str
    text_body: str
    html_body: str | None = None
    status: str = Field(default="pending", index=True)
    created_at: datetime
    # Delivery: a sender claims due alerts with a lease, then records each outcome.
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, index=True)
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    submit_started_at: datetime | None = None  # set before an at-most-once submit
    sent_at: datetime | None = None
    message_id: str | None = None
    last_reply: str | None = None
    raw_message: str | None = None  # the message as it was sent
    # `alerts resend`: the delivered alert this one sends again, word for word.
    copy_of: int | None = Field(default=None, foreign_key="alert.id", index=True)
    # Held (docs/rules.md, "Holding alerts"): why, and until when (None once released). The
    # release folds what it releases together into one alert (`merged_into`), whose `hold` is
    # `summary`; `hold` stays on a released alert, for `alerts stats`.
    hold: str | None = None
    held_until: datetime | None = Field(default=None, index=True)
    merged_into: int | None = Field(default=None, index=True)


class AlertAttempt(Row, table=True):
    """One delivery attempt of an alert, with its outcome and the server's reply."""

    __tablename__ = "alert_attempt"
    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    owner: str
    finished_at: datetime
    outcome: str  # sent, retry, dead, unknown
    reply: str | None = None


class AlertFault(Row, table=True):
    """An alert that a save should have sent and did not, because of a fault rather than a rule
    (a template that does not render, an address that became invalid): recorded so that it is
    never silent (`alerts stats`, `check`)."""

    __tablename__ = "alert_fault"
    id: int | None = Field(default=None, primary_key=True)
    save_id: int = Field(foreign_key="request_save.id", index=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    event: str
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    channel: str | None = None
    reason: str
    detail: str
    created_at: datetime = Field(index=True)
    # Set by `alerts recover`: the alert it queued once the cause was fixed, or why none.
    handled_at: datetime | None = None
    handled: str | None = None


class SenderBeat(Row, table=True):
    """A sender's heartbeat: where it runs and when it last went round its loop. A sender
    that died quietly stops beating; `check` and the metrics show it."""

    __tablename__ = "sender_beat"
    id: int | None = Field(default=None, primary_key=True)
    owner: str = Field(unique=True)  # the sender's lease owner
    host: str
    pid: int
    watching: bool  # `alerts send --watch`, or one run of `alerts send`
    started_at: datetime
    last_loop_at: datetime = Field(index=True)


class SlaClock(Row, table=True):
    """When a request's SLA clocks are next worth reading: the instant a threshold would be
    crossed if nothing changes, or the save that may have changed them. The check reads only
    the rows due, through the index (docs/architecture.md, "SLA clocks")."""

    __tablename__ = "sla_clock"
    request_id: int = Field(foreign_key="request.id", primary_key=True)
    next_check_at: datetime | None = Field(default=None, index=True)
