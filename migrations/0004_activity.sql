CREATE TABLE "activity_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"master_id" text DEFAULT 'default' NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"category" text NOT NULL,
	"kind" text NOT NULL,
	"tag" text NOT NULL,
	"jid" text,
	"minion" text,
	"fun" text,
	"outcome" text,
	"summary" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"backfilled" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE INDEX "activity_events_master_at" ON "activity_events" USING btree ("master_id","at");--> statement-breakpoint
CREATE INDEX "activity_events_jid" ON "activity_events" USING btree ("jid");--> statement-breakpoint
CREATE INDEX "activity_events_minion" ON "activity_events" USING btree ("minion");--> statement-breakpoint
CREATE INDEX "activity_events_category_id" ON "activity_events" USING btree ("category","id");