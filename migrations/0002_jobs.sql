CREATE TABLE "jobs_index" (
	"master_id" text DEFAULT 'default' NOT NULL,
	"jid" text NOT NULL,
	"function" text NOT NULL,
	"arguments" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"target" text DEFAULT '' NOT NULL,
	"target_type" text DEFAULT 'glob' NOT NULL,
	"user" text DEFAULT '' NOT NULL,
	"start_time" timestamp (6) with time zone NOT NULL,
	"minions" text[] DEFAULT '{}'::text[] NOT NULL,
	"minion_count" integer DEFAULT 0 NOT NULL,
	"returned" integer,
	"succeeded" integer,
	"failed" integer,
	"summary_at" timestamp with time zone,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "jobs_index_master_id_jid_pk" PRIMARY KEY("master_id","jid")
);
--> statement-breakpoint
CREATE INDEX "jobs_index_start_time_idx" ON "jobs_index" USING btree ("master_id","start_time" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "jobs_index_function_idx" ON "jobs_index" USING btree ("master_id","function" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "jobs_index_user_idx" ON "jobs_index" USING btree ("master_id","user");--> statement-breakpoint
CREATE INDEX "jobs_index_minions_idx" ON "jobs_index" USING gin ("minions");