-- CreateTable
CREATE TABLE "experiment" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "hypothesis" TEXT NOT NULL DEFAULT '',
    "owner" TEXT NOT NULL,
    "seed" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "traffic_allocation" DOUBLE PRECISION NOT NULL,
    "targeting" JSONB NOT NULL DEFAULT '[]',
    "layer_key" TEXT,
    "layer_ranges" JSONB,
    "primary_metric" TEXT NOT NULL,
    "secondary_metrics" TEXT[],
    "guardrail_metrics" TEXT[],
    "started_at" TIMESTAMPTZ(3),
    "weights_since" TIMESTAMPTZ(3),
    "stopped_at" TIMESTAMPTZ(3),
    "decision" TEXT,
    "decision_variant" TEXT,
    "decision_note" TEXT,
    "analysis" JSONB NOT NULL DEFAULT '{}',
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "experiment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "experiment_variant" (
    "experiment_id" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "weight" DOUBLE PRECISION NOT NULL,
    "is_control" BOOLEAN NOT NULL DEFAULT false,
    "position" INTEGER NOT NULL,

    CONSTRAINT "experiment_variant_pkey" PRIMARY KEY ("experiment_id","key")
);

-- CreateTable
CREATE TABLE "assignment" (
    "experiment_id" INTEGER NOT NULL,
    "user_id" TEXT NOT NULL,
    "variant_key" TEXT NOT NULL,
    "assigned_at" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'api',

    CONSTRAINT "assignment_pkey" PRIMARY KEY ("experiment_id","user_id")
);

-- CreateTable
CREATE TABLE "experiment_result_snapshot" (
    "experiment_id" INTEGER NOT NULL,
    "as_of_day" DATE NOT NULL,
    "cap_percentile" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "computed_at" TIMESTAMPTZ(3) NOT NULL,
    "stats" JSONB NOT NULL,

    CONSTRAINT "experiment_result_snapshot_pkey" PRIMARY KEY ("experiment_id","as_of_day","cap_percentile")
);

-- CreateTable
CREATE TABLE "experiment_audit" (
    "id" BIGSERIAL NOT NULL,
    "experiment_id" INTEGER NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "experiment_audit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "account" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabled_at" TIMESTAMPTZ(3),

    CONSTRAINT "account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_session" (
    "token_hash" TEXT NOT NULL,
    "account_id" INTEGER NOT NULL,
    "csrf_token" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "auth_session_pkey" PRIMARY KEY ("token_hash")
);

-- CreateTable
CREATE TABLE "access_token" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "access_token_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "experiment_key_key" ON "experiment"("key");

-- CreateIndex
CREATE INDEX "experiment_status_idx" ON "experiment"("status");

-- CreateIndex
CREATE INDEX "assignment_user_id_idx" ON "assignment"("user_id");

-- CreateIndex
CREATE INDEX "experiment_audit_experiment_id_at_idx" ON "experiment_audit"("experiment_id", "at");

-- CreateIndex
CREATE UNIQUE INDEX "account_email_key" ON "account"("email");

-- CreateIndex
CREATE INDEX "auth_session_account_id_idx" ON "auth_session"("account_id");

-- CreateIndex
CREATE INDEX "auth_session_expires_at_idx" ON "auth_session"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "access_token_token_hash_key" ON "access_token"("token_hash");

-- AddForeignKey
ALTER TABLE "experiment_variant" ADD CONSTRAINT "experiment_variant_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignment" ADD CONSTRAINT "assignment_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "experiment_result_snapshot" ADD CONSTRAINT "experiment_result_snapshot_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "experiment_audit" ADD CONSTRAINT "experiment_audit_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "auth_session" ADD CONSTRAINT "auth_session_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE CASCADE;
