DROP INDEX "jobs_index_start_time_idx";--> statement-breakpoint
CREATE INDEX "jobs_index_start_time_idx" ON "jobs_index" USING btree ("master_id","start_time" DESC NULLS FIRST,"jid" DESC NULLS FIRST);