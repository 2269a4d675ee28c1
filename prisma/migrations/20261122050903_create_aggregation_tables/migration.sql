-- CreateTable
CREATE TABLE "title" (
    "title_id" TEXT NOT NULL,
    "title_name" TEXT NOT NULL,
    "genre" TEXT NOT NULL,
    "release_year" INTEGER NOT NULL,

    CONSTRAINT "title_pkey" PRIMARY KEY ("title_id")
);

-- CreateTable
CREATE TABLE "user_daily_stat" (
    "user_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "watch_seconds" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "watch_count" INTEGER NOT NULL DEFAULT 0,
    "distinct_titles" INTEGER NOT NULL DEFAULT 0,
    "sessions" INTEGER NOT NULL DEFAULT 0,
    "likes" INTEGER NOT NULL DEFAULT 0,
    "dislikes" INTEGER NOT NULL DEFAULT 0,
    "searches" INTEGER NOT NULL DEFAULT 0,
    "ratings" INTEGER NOT NULL DEFAULT 0,
    "rating_sum" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "user_daily_stat_pkey" PRIMARY KEY ("user_id","day")
);

-- CreateTable
CREATE TABLE "user_day_title" (
    "user_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "title_id" TEXT NOT NULL,

    CONSTRAINT "user_day_title_pkey" PRIMARY KEY ("day","title_id","user_id")
);

-- CreateTable
CREATE TABLE "user_activity" (
    "user_id" TEXT NOT NULL,
    "first_watch_day" DATE NOT NULL,
    "last_watch_at" TIMESTAMPTZ(3) NOT NULL,
    "country" TEXT,
    "device" TEXT,

    CONSTRAINT "user_activity_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "title_daily_stat" (
    "title_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "watch_seconds" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "views" INTEGER NOT NULL DEFAULT 0,
    "unique_viewers" INTEGER NOT NULL DEFAULT 0,
    "likes" INTEGER NOT NULL DEFAULT 0,
    "dislikes" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "title_daily_stat_pkey" PRIMARY KEY ("title_id","day")
);

-- CreateTable
CREATE TABLE "minute_stat" (
    "minute" TIMESTAMPTZ(0) NOT NULL,
    "events" INTEGER NOT NULL DEFAULT 0,
    "watch_count" INTEGER NOT NULL DEFAULT 0,
    "watch_seconds" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "minute_stat_pkey" PRIMARY KEY ("minute")
);

-- CreateTable
CREATE TABLE "consumer_offset" (
    "group_id" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    "next_offset" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "consumer_offset_pkey" PRIMARY KEY ("group_id","topic","partition")
);

-- CreateTable
CREATE TABLE "dead_letter" (
    "id" BIGSERIAL NOT NULL,
    "group_id" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    "offset" BIGINT NOT NULL,
    "reason" TEXT NOT NULL,
    "raw_value" BYTEA,
    "key" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dead_letter_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pipeline_counter" (
    "group_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "value" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "pipeline_counter_pkey" PRIMARY KEY ("group_id","name")
);

-- CreateTable
CREATE TABLE "system_state" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "system_state_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "title_genre_idx" ON "title"("genre");

-- CreateIndex
CREATE INDEX "user_daily_stat_day_idx" ON "user_daily_stat"("day");

-- CreateIndex
CREATE INDEX "user_activity_first_watch_day_idx" ON "user_activity"("first_watch_day");

-- CreateIndex
CREATE INDEX "title_daily_stat_day_idx" ON "title_daily_stat"("day");

-- CreateIndex
CREATE INDEX "dead_letter_received_at_idx" ON "dead_letter"("received_at");

-- CreateIndex
CREATE UNIQUE INDEX "dead_letter_group_id_topic_partition_offset_key" ON "dead_letter"("group_id", "topic", "partition", "offset");
