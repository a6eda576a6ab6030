CREATE TABLE "run_dispatches" (
	"master_id" text DEFAULT 'default' NOT NULL,
	"jid" text NOT NULL,
	"user_id" integer,
	"username" text DEFAULT '' NOT NULL,
	"fun" text NOT NULL,
	"target" text NOT NULL,
	"target_type" text NOT NULL,
	"args" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"kwargs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"batch" text,
	"timeout" integer,
	"minions" text[] DEFAULT '{}'::text[] NOT NULL,
	"dispatched_at" timestamp with time zone NOT NULL,
	CONSTRAINT "run_dispatches_master_id_jid_pk" PRIMARY KEY("master_id","jid")
);
--> statement-breakpoint
CREATE TABLE "templates" (
	"id" serial PRIMARY KEY NOT NULL,
	"owner_id" integer NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"is_shared" boolean DEFAULT false NOT NULL,
	"target" text NOT NULL,
	"target_type" text DEFAULT 'glob' NOT NULL,
	"fun" text NOT NULL,
	"args" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"kwargs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"batch" text,
	"timeout" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "templates" ADD CONSTRAINT "templates_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "run_dispatches_user_idx" ON "run_dispatches" USING btree ("master_id","user_id","dispatched_at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "templates_owner_name_idx" ON "templates" USING btree ("owner_id","name");--> statement-breakpoint
CREATE INDEX "templates_shared_idx" ON "templates" USING btree ("is_shared","name");