CREATE TABLE "minion_ingest_parts" (
	"master_id" text DEFAULT 'default' NOT NULL,
	"part" text NOT NULL,
	"last_success_at" timestamp with time zone,
	"last_error_at" timestamp with time zone,
	"last_error" text,
	CONSTRAINT "minion_ingest_parts_master_id_part_pk" PRIMARY KEY("master_id","part")
);
--> statement-breakpoint
CREATE TABLE "minion_snapshots" (
	"master_id" text DEFAULT 'default' NOT NULL,
	"id" text NOT NULL,
	"key_status" text NOT NULL,
	"present" boolean DEFAULT false NOT NULL,
	"ip" text,
	"os" text,
	"osrelease" text,
	"kernel" text,
	"saltversion" text,
	"roles" text[] DEFAULT '{}'::text[] NOT NULL,
	"grains" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"search_text" text DEFAULT '' NOT NULL,
	"grains_hash" text DEFAULT '' NOT NULL,
	"content_hash" text NOT NULL,
	"first_seen" timestamp with time zone NOT NULL,
	"last_seen" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "minion_snapshots_master_id_id_pk" PRIMARY KEY("master_id","id")
);
--> statement-breakpoint
CREATE INDEX "minion_snapshots_key_status_idx" ON "minion_snapshots" USING btree ("master_id","key_status","id");--> statement-breakpoint
CREATE INDEX "minion_snapshots_present_idx" ON "minion_snapshots" USING btree ("master_id","present","id");--> statement-breakpoint
CREATE INDEX "minion_snapshots_os_idx" ON "minion_snapshots" USING btree ("master_id","os","id");--> statement-breakpoint
CREATE INDEX "minion_snapshots_saltversion_idx" ON "minion_snapshots" USING btree ("master_id","saltversion","id");--> statement-breakpoint
CREATE INDEX "minion_snapshots_roles_idx" ON "minion_snapshots" USING gin ("roles");