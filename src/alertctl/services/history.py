"""A request's history: the list of requests, and one request with every save, its events and
the alerts it produced."""

import json
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from alertctl.db.engine import Database
from alertctl.db.tables import Alert, Client, Contract, Person, Request, RequestSave, Status
from alertctl.services.alert_slice import get_request, status_dict
from alertctl.services.common import ident
from alertctl.services.request_fields import field_codes


def list_requests(db: Database, *, status: str | None = None) -> list[dict[str, Any]]:
    with db.session(write=False) as session:
        query = (
            select(Request, Status, Client.code, Contract.code)
            .join(Status, Status.id == Request.status_id)  # type: ignore[arg-type]
            .join(Client, Client.id == Request.client_id)  # type: ignore[arg-type]
            .join(Contract, Contract.id == Request.contract_id, isouter=True)  # type: ignore[arg-type]
            .order_by(col(Request.reference))
        )
        if status is not None:
            query = query.where(Status.code == status)
        counts = dict(
            session.exec(
                select(Alert.request_id, func.count()).group_by(col(Alert.request_id))
            ).all()
        )
        return [
            {
                "reference": r.reference,
                "title": r.title,
                "client": client_code,
                "contract": contract_code,
                "status": s.code,
                "status_type": s.type,
                "state": r.state,
                "alerts": counts.get(ident(r.id), 0),
                "updated_at": r.updated_at.isoformat(),
            }
            for r, s, client_code, contract_code in session.exec(query).all()
        ]


def show_request(db: Database, *, reference: str) -> dict[str, Any]:
    """The request as it is, and every save with its events and the alerts it produced."""
    with db.session(write=False) as session:
        request = get_request(session, reference)
        fields_now = field_codes(session, request)
        saves = session.exec(
            select(RequestSave)
            .where(RequestSave.request_id == request.id)
            .order_by(col(RequestSave.id))
        ).all()
        alerts = session.exec(
            select(Alert, Person.kind, Person.code)
            .join(Person, col(Person.id) == col(Alert.person_id), isouter=True)
            .where(Alert.request_id == request.id)
            .order_by(col(Alert.id))
        ).all()
        statuses = {s.id: s for s in session.exec(select(Status)).all()}
        by_save: dict[int, list[dict[str, Any]]] = {}
        for alert, kind, code in alerts:
            by_save.setdefault(alert.save_id, []).append(
                {
                    "id": alert.id,
                    "event": alert.event,
                    "kind": kind or "(erased)",
                    "code": code or "-",
                    "channel": alert.channel,
                    "address": alert.address,
                    "sources": alert.sources.split(",") if alert.sources else [],
                    "subject": alert.subject,
                    "status": alert.status,
                }
            )
        return {
            "reference": request.reference,
            **fields_now,
            "status": status_dict(statuses.get(request.status_id)),
            "opened_at": request.created_at.isoformat(),
            "updated_at": request.updated_at.isoformat(),
            "saves": [
                {
                    "save_id": s.save_key,
                    "saved_at": s.saved_at.isoformat(),
                    "previous_status": statuses[s.previous_status_id].code
                    if s.previous_status_id in statuses
                    else None,
                    "status": statuses[s.status_id].code,
                    "changes": json.loads(s.changes),
                    "events": s.events.split(",") if s.events else [],
                    "alerts": by_save.get(ident(s.id), []),
                    "superseded": json.loads(s.superseded),
                }
                for s in saves
            ],
        }
