"""configuration model

Revision ID: 0001
Revises:
Create Date: 2026-11-28 03:59:30.741245
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("language", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client")),
        sa.UniqueConstraint("code", name=op.f("uq_client_code")),
    )
    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
        sa.UniqueConstraint("code", name=op.f("uq_product_code")),
    )
    op.create_table(
        "status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status")),
        sa.UniqueConstraint("code", name=op.f("uq_status_code")),
    )
    op.create_table(
        "template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("html", sa.String(), nullable=True),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template")),
        sa.UniqueConstraint("name", name=op.f("uq_template_name")),
    )
    op.create_table(
        "client_alert_setting",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("keyword", sa.String(), nullable=True),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("format", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_client_alert_setting_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["template.id"],
            name=op.f("fk_client_alert_setting_template_id_template"),
        ),
        sa.PrimaryKeyConstraint("client_id", "event", name=op.f("pk_client_alert_setting")),
    )
    op.create_table(
        "contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("source_product", sa.Boolean(), nullable=False),
        sa.Column("source_site", sa.Boolean(), nullable=False),
        sa.Column("source_contract", sa.Boolean(), nullable=False),
        sa.Column("source_service", sa.Boolean(), nullable=False),
        sa.Column("source_client", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_contract_client_id_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract")),
        sa.UniqueConstraint("code", name=op.f("uq_contract_code")),
    )
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contract_client_id"), ["client_id"], unique=False)

    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("fax", sa.String(), nullable=True),
        sa.Column("email_active", sa.Boolean(), nullable=False),
        sa.Column("fax_active", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("opt_open", sa.Boolean(), nullable=False),
        sa.Column("opt_resolution", sa.Boolean(), nullable=False),
        sa.Column("opt_closure_external", sa.Boolean(), nullable=False),
        sa.Column("opt_closure_internal", sa.Boolean(), nullable=False),
        sa.Column("opt_status_change", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "(kind = 'contact' AND client_id IS NOT NULL) OR (kind = 'collaborator' AND client_id IS NULL)",
            name=op.f("ck_person_client_of_contacts_only"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_person_client_id_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("kind", "code", name="uq_person_kind_code"),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_client_id"), ["client_id"], unique=False)

    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("is_main", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_site_client_id_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
        sa.UniqueConstraint("client_id", "code", name="uq_site_client_code"),
    )
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_client_id"), ["client_id"], unique=False)
        batch_op.create_index(
            "uq_site_one_main",
            ["client_id"],
            unique=True,
            sqlite_where=sa.text("is_main"),
            postgresql_where=sa.text("is_main"),
        )

    op.create_table(
        "client_interlocutor",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_client_interlocutor_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["client.id"], name=op.f("fk_client_interlocutor_target_id_client")
        ),
        sa.PrimaryKeyConstraint("person_id", "target_id", name=op.f("pk_client_interlocutor")),
    )
    with op.batch_alter_table("client_interlocutor", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_client_interlocutor_target_id"), ["target_id"], unique=False
        )

    op.create_table(
        "contact_site",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_contact_site_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_contact_site_site_id_site")
        ),
        sa.PrimaryKeyConstraint("person_id", "site_id", name=op.f("pk_contact_site")),
    )
    with op.batch_alter_table("contact_site", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_site_site_id"), ["site_id"], unique=False)

    op.create_table(
        "contract_beneficiary",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_contract_beneficiary_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contract.id"],
            name=op.f("fk_contract_beneficiary_contract_id_contract"),
        ),
        sa.PrimaryKeyConstraint("contract_id", "client_id", name=op.f("pk_contract_beneficiary")),
    )
    with op.batch_alter_table("contract_beneficiary", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_beneficiary_client_id"), ["client_id"], unique=False
        )

    op.create_table(
        "contract_interlocutor",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_contract_interlocutor_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["contract.id"], name=op.f("fk_contract_interlocutor_target_id_contract")
        ),
        sa.PrimaryKeyConstraint("person_id", "target_id", name=op.f("pk_contract_interlocutor")),
    )
    with op.batch_alter_table("contract_interlocutor", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_interlocutor_target_id"), ["target_id"], unique=False
        )

    op.create_table(
        "contract_product",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contract.id"], name=op.f("fk_contract_product_contract_id_contract")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_contract_product_product_id_product")
        ),
        sa.PrimaryKeyConstraint("contract_id", "product_id", name=op.f("pk_contract_product")),
    )
    with op.batch_alter_table("contract_product", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_product_product_id"), ["product_id"], unique=False
        )

    op.create_table(
        "product_interlocutor",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_product_interlocutor_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["product.id"], name=op.f("fk_product_interlocutor_target_id_product")
        ),
        sa.PrimaryKeyConstraint("person_id", "target_id", name=op.f("pk_product_interlocutor")),
    )
    with op.batch_alter_table("product_interlocutor", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_interlocutor_target_id"), ["target_id"], unique=False
        )

    op.create_table(
        "service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contract.id"], name=op.f("fk_service_contract_id_contract")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service")),
        sa.UniqueConstraint("contract_id", "code", name="uq_service_contract_code"),
    )
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_contract_id"), ["contract_id"], unique=False)

    op.create_table(
        "site_interlocutor",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_site_interlocutor_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["site.id"], name=op.f("fk_site_interlocutor_target_id_site")
        ),
        sa.PrimaryKeyConstraint("person_id", "target_id", name=op.f("pk_site_interlocutor")),
    )
    with op.batch_alter_table("site_interlocutor", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_site_interlocutor_target_id"), ["target_id"], unique=False
        )

    op.create_table(
        "service_interlocutor",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_service_interlocutor_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["service.id"], name=op.f("fk_service_interlocutor_target_id_service")
        ),
        sa.PrimaryKeyConstraint("person_id", "target_id", name=op.f("pk_service_interlocutor")),
    )
    with op.batch_alter_table("service_interlocutor", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_interlocutor_target_id"), ["target_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("service_interlocutor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_interlocutor_target_id"))

    op.drop_table("service_interlocutor")
    with op.batch_alter_table("site_interlocutor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_interlocutor_target_id"))

    op.drop_table("site_interlocutor")
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_contract_id"))

    op.drop_table("service")
    with op.batch_alter_table("product_interlocutor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_interlocutor_target_id"))

    op.drop_table("product_interlocutor")
    with op.batch_alter_table("contract_product", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_product_product_id"))

    op.drop_table("contract_product")
    with op.batch_alter_table("contract_interlocutor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_interlocutor_target_id"))

    op.drop_table("contract_interlocutor")
    with op.batch_alter_table("contract_beneficiary", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_beneficiary_client_id"))

    op.drop_table("contract_beneficiary")
    with op.batch_alter_table("contact_site", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_site_site_id"))

    op.drop_table("contact_site")
    with op.batch_alter_table("client_interlocutor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_interlocutor_target_id"))

    op.drop_table("client_interlocutor")
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_index("uq_site_one_main")
        batch_op.drop_index(batch_op.f("ix_site_client_id"))

    op.drop_table("site")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_client_id"))

    op.drop_table("person")
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_client_id"))

    op.drop_table("contract")
    op.drop_table("client_alert_setting")
    op.drop_table("template")
    op.drop_table("status")
    op.drop_table("product")
    op.drop_table("client")
