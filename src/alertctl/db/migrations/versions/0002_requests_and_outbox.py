"""requests and outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 04:11:50.299482
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("external_description", sa.String(), nullable=True),
        sa.Column("status_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(), nullable=True),
        sa.Column("open_fired", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_request_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contract.id"], name=op.f("fk_request_contract_id_contract")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_request_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["person.id"], name=op.f("fk_request_requester_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_request_service_id_service")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_request_site_id_site")),
        sa.ForeignKeyConstraint(
            ["status_id"], ["status.id"], name=op.f("fk_request_status_id_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request")),
        sa.UniqueConstraint("reference", name=op.f("uq_request_reference")),
    )
    with op.batch_alter_table("request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_request_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_request_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_request_product_id"), ["product_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_request_requester_id"), ["requester_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_request_service_id"), ["service_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_request_site_id"), ["site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_request_status_id"), ["status_id"], unique=False)

    op.create_table(
        "request_save",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("save_key", sa.String(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("previous_status_id", sa.Integer(), nullable=True),
        sa.Column("status_id", sa.Integer(), nullable=False),
        sa.Column("changes", sa.String(), nullable=False),
        sa.Column("events", sa.String(), nullable=False),
        sa.Column("superseded", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["previous_status_id"],
            ["status.id"],
            name=op.f("fk_request_save_previous_status_id_status"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["request.id"], name=op.f("fk_request_save_request_id_request")
        ),
        sa.ForeignKeyConstraint(
            ["status_id"], ["status.id"], name=op.f("fk_request_save_status_id_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_save")),
        sa.UniqueConstraint("save_key", name=op.f("uq_request_save_save_key")),
    )
    with op.batch_alter_table("request_save", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_request_save_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("save_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("address", sa.String(), nullable=False),
        sa.Column("sources", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("text_body", sa.String(), nullable=False),
        sa.Column("html_body", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_alert_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["request.id"], name=op.f("fk_alert_request_id_request")
        ),
        sa.ForeignKeyConstraint(
            ["save_id"], ["request_save.id"], name=op.f("fk_alert_save_id_request_save")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
        sa.UniqueConstraint("key", name=op.f("uq_alert_key")),
    )
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_save_id"), ["save_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_status"), ["status"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_status"))
        batch_op.drop_index(batch_op.f("ix_alert_save_id"))
        batch_op.drop_index(batch_op.f("ix_alert_request_id"))
        batch_op.drop_index(batch_op.f("ix_alert_person_id"))

    op.drop_table("alert")
    with op.batch_alter_table("request_save", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_save_request_id"))

    op.drop_table("request_save")
    with op.batch_alter_table("request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_status_id"))
        batch_op.drop_index(batch_op.f("ix_request_site_id"))
        batch_op.drop_index(batch_op.f("ix_request_service_id"))
        batch_op.drop_index(batch_op.f("ix_request_requester_id"))
        batch_op.drop_index(batch_op.f("ix_request_product_id"))
        batch_op.drop_index(batch_op.f("ix_request_contract_id"))
        batch_op.drop_index(batch_op.f("ix_request_client_id"))

    op.drop_table("request")
