CREATE TABLE "fleet_daily" (
	"master_id" text DEFAULT 'default' NOT NULL,
	"day" date NOT NULL,
	"healthy" integer DEFAULT 0 NOT NULL,
	"changed" integer DEFAULT 0 NOT NULL,
	"unhealthy" integer DEFAULT 0 NOT NULL,
	"blocked" integer DEFAULT 0 NOT NULL,
	"stale" integer DEFAULT 0 NOT NULL,
	"unknown" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "fleet_daily_master_id_day_pk" PRIMARY KEY("master_id","day")
);
--> statement-breakpoint
CREATE TABLE "fleet_health" (
	"master_id" text DEFAULT 'default' NOT NULL,
	"minion_id" text NOT NULL,
	"jid" text NOT NULL,
	"function" text NOT NULL,
	"run_at" timestamp with time zone NOT NULL,
	"outcome" text NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"passed" integer DEFAULT 0 NOT NULL,
	"changed" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"failing_states" text[] DEFAULT '{}'::text[] NOT NULL,
	"errors" text[] DEFAULT '{}'::text[] NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "fleet_health_master_id_minion_id_pk" PRIMARY KEY("master_id","minion_id")
);
--> statement-breakpoint
CREATE TABLE "fleet_state_jobs" (
	"master_id" text DEFAULT 'default' NOT NULL,
	"jid" text NOT NULL,
	"start_time" timestamp with time zone NOT NULL,
	"returned" integer DEFAULT 0 NOT NULL,
	"complete" boolean DEFAULT false NOT NULL,
	"looked_up_at" timestamp with time zone NOT NULL,
	CONSTRAINT "fleet_state_jobs_master_id_jid_pk" PRIMARY KEY("master_id","jid")
);
--> statement-breakpoint
CREATE TABLE "inventory_minions" (
	"master_id" text DEFAULT 'default' NOT NULL,
	"minion_id" text NOT NULL,
	"source" text NOT NULL,
	"os_family" text,
	"package_count" integer NOT NULL,
	"packages_hash" text NOT NULL,
	"jid" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "inventory_minions_master_id_minion_id_pk" PRIMARY KEY("master_id","minion_id")
);
--> statement-breakpoint
CREATE TABLE "inventory_packages" (
	"master_id" text DEFAULT 'default' NOT NULL,
	"minion_id" text NOT NULL,
	"name" text NOT NULL,
	"version" text NOT NULL,
	"source" text NOT NULL,
	CONSTRAINT "inventory_packages_master_id_minion_id_name_version_pk" PRIMARY KEY("master_id","minion_id","name","version")
);
--> statement-breakpoint
CREATE INDEX "fleet_health_outcome_idx" ON "fleet_health" USING btree ("master_id","outcome","minion_id");--> statement-breakpoint
CREATE INDEX "fleet_health_failing_idx" ON "fleet_health" USING gin ("failing_states");--> statement-breakpoint
CREATE INDEX "inventory_packages_name_idx" ON "inventory_packages" USING btree ("master_id",lower("name") text_pattern_ops,"version");