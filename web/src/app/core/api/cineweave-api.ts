import { Injectable, inject } from '@angular/core';
import type {
  AdminJobView,
  AdminStats,
  AdminTimeseries,
  AdminUser,
  ApiKeyView,
  AuditAction,
  AuditEntryView,
  CreatedApiKey,
  CreatedInvitation,
  CreateInvitationRequest,
  CreateJobRequest,
  CreateTeamRequest,
  CreateWebhookRequest,
  CreditsSummary,
  GrantCreditsRequest,
  InvitationPreview,
  JobStatus,
  JobView,
  TimeseriesBucket,
  LedgerItem,
  List,
  ListedPlan,
  Me,
  ModelList,
  ModelView,
  ModerationDecisionView,
  ModerationPolicy,
  ModerationPolicyView,
  Page,
  PublicConfig,
  Quote,
  RenderPreset,
  Resolution,
  TeamInvitationView,
  TeamMemberView,
  TeamRole,
  TeamSummary,
  TeamView,
  UpdateTeamLimitsRequest,
  UpdateWebhookRequest,
  UploadView,
  UsageReport,
  UserInit,
  WebhookDeliveryView,
  WebhookEndpointView,
  WebhookEndpointWithSecret,
} from '@cineweave/contracts';
import { ApiClient } from './api-client';

export type ModerationPolicyInput = ModerationPolicy;

/** Filters of the admin audit log (all optional; `from`/`to` ISO date-times). */
export interface AuditFilters {
  action?: AuditAction | null;
  actorId?: string | null;
  targetId?: string | null;
  from?: string | null;
  to?: string | null;
}

/** Inclusive UTC days (`YYYY-MM-DD`) of a usage report. */
export interface UsageRange {
  from: string;
  to: string;
}

/** The admin charts' range: `from`/`to` ISO date-times (the API defaults to the last week up to now). */
export interface TimeseriesQuery {
  bucket: TimeseriesBucket;
  from?: string | null;
  to?: string | null;
}

/** A usage CSV's range (inclusive UTC days) and, optionally, the one team it is for. */
export interface UsageCsvQuery {
  from: string;
  to: string;
  team?: string | null;
}

export interface JobListQuery {
  status?: JobStatus | null;
  cursor?: string | null;
  limit?: number;
}

/** Every API route the portal calls, in one place, typed with the shared contracts. */
@Injectable({ providedIn: 'root' })
export class CineweaveApi {
  private readonly client = inject(ApiClient);

  config(): Promise<PublicConfig> {
    return this.client.get('/v1/config', { anonymous: true });
  }

  async plans(): Promise<ListedPlan[]> {
    return (await this.client.get<List<ListedPlan>>('/v1/plans', { anonymous: true })).items;
  }

  initUser(): Promise<UserInit> {
    return this.client.post('/v1/users/init');
  }

  me(): Promise<Me> {
    return this.client.get('/v1/me');
  }

  credits(): Promise<CreditsSummary> {
    return this.client.get('/v1/credits');
  }

  ledger(cursor?: string | null, limit = 20): Promise<Page<LedgerItem>> {
    return this.client.get('/v1/credits/ledger', { query: { cursor, limit } });
  }

  /** The price of a job; `model` and `preset` price it by the model's factor (left out: the defaults). */
  quote(
    resolution: Resolution,
    durationSeconds: number,
    signal?: AbortSignal,
    choice: { model?: string; preset?: RenderPreset } = {},
  ): Promise<Quote> {
    return this.client.get('/v1/pricing/quote', {
      query: { resolution, durationSeconds, ...choice },
      signal,
    });
  }

  /** The install's model catalog with live availability. */
  async models(): Promise<ModelView[]> {
    return (await this.client.get<ModelList>('/v1/models')).items;
  }

  upload(file: File): Promise<UploadView> {
    const form = new FormData();
    form.append('file', file, file.name);
    return this.client.post('/v1/uploads', form);
  }

  createJob(request: CreateJobRequest, idempotencyKey: string): Promise<JobView> {
    return this.client.post('/v1/jobs', request, { headers: { 'idempotency-key': idempotencyKey } });
  }

  jobs(query: JobListQuery = {}): Promise<Page<JobView>> {
    return this.client.get('/v1/jobs', {
      query: { status: query.status, cursor: query.cursor, limit: query.limit ?? 24 },
    });
  }

  job(id: string): Promise<JobView> {
    return this.client.get(`/v1/jobs/${encodeURIComponent(id)}`);
  }

  cancelJob(id: string): Promise<JobView> {
    return this.client.post(`/v1/jobs/${encodeURIComponent(id)}/cancel`);
  }

  async apiKeys(): Promise<ApiKeyView[]> {
    return (await this.client.get<List<ApiKeyView>>('/v1/api-keys')).items;
  }

  createApiKey(name: string): Promise<CreatedApiKey> {
    return this.client.post('/v1/api-keys', { name });
  }

  revokeApiKey(id: string): Promise<void> {
    return this.client.delete(`/v1/api-keys/${encodeURIComponent(id)}`);
  }

  async webhooks(): Promise<WebhookEndpointView[]> {
    return (await this.client.get<List<WebhookEndpointView>>('/v1/webhooks')).items;
  }

  createWebhook(request: CreateWebhookRequest): Promise<WebhookEndpointWithSecret> {
    return this.client.post('/v1/webhooks', request);
  }

  updateWebhook(id: string, request: UpdateWebhookRequest): Promise<WebhookEndpointView> {
    return this.client.patch(`/v1/webhooks/${encodeURIComponent(id)}`, request);
  }

  deleteWebhook(id: string): Promise<void> {
    return this.client.delete(`/v1/webhooks/${encodeURIComponent(id)}`);
  }

  rotateWebhookSecret(id: string): Promise<WebhookEndpointWithSecret> {
    return this.client.post(`/v1/webhooks/${encodeURIComponent(id)}/rotate-secret`, {});
  }

  testWebhook(id: string): Promise<WebhookDeliveryView> {
    return this.client.post(`/v1/webhooks/${encodeURIComponent(id)}/test`);
  }

  webhookDeliveries(id: string, cursor?: string | null): Promise<Page<WebhookDeliveryView>> {
    return this.client.get(`/v1/webhooks/${encodeURIComponent(id)}/deliveries`, {
      query: { cursor, limit: 20 },
    });
  }

  redeliverWebhook(id: string, deliveryId: string): Promise<WebhookDeliveryView> {
    return this.client.post(
      `/v1/webhooks/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(deliveryId)}/redeliver`,
    );
  }

  adminUsers(cursor?: string | null, search?: string): Promise<Page<AdminUser>> {
    return this.client.get('/v1/admin/users', { query: { cursor, search, limit: 50 } });
  }

  grantCredits(request: GrantCreditsRequest): Promise<CreditsSummary> {
    return this.client.post('/v1/admin/credits/grant', request);
  }

  adminJobs(query: JobListQuery = {}): Promise<Page<AdminJobView>> {
    return this.client.get('/v1/admin/jobs', {
      query: { status: query.status, cursor: query.cursor, limit: query.limit ?? 50 },
    });
  }

  adminStats(): Promise<AdminStats> {
    return this.client.get('/v1/admin/stats');
  }

  moderationPolicy(): Promise<ModerationPolicyView> {
    return this.client.get('/v1/admin/moderation/policy');
  }

  updateModerationPolicy(policy: ModerationPolicyInput): Promise<ModerationPolicyView> {
    return this.client.request('PUT', '/v1/admin/moderation/policy', { body: policy });
  }

  moderationDecisions(cursor?: string | null): Promise<Page<ModerationDecisionView>> {
    return this.client.get('/v1/admin/moderation/decisions', { query: { cursor, limit: 50 } });
  }

  adminAudit(filters: AuditFilters, cursor?: string | null): Promise<Page<AuditEntryView>> {
    return this.client.get('/v1/admin/audit', { query: { ...filters, cursor, limit: 50 } });
  }

  /** Every row matching the filters, as the API's CSV. */
  adminAuditCsv(filters: AuditFilters): Promise<string> {
    return this.client.get('/v1/admin/audit', {
      query: { ...filters, format: 'csv' },
      headers: { accept: 'text/csv, application/problem+json' },
      as: 'text',
    });
  }

  // Teams. Calls about one team name it in the team header themselves (its page may show a team
  // other than the switcher's); calls about the person (their teams, an invitation) send none.

  async teams(): Promise<TeamSummary[]> {
    return (await this.client.get<List<TeamSummary>>('/v1/teams', { team: null })).items;
  }

  createTeam(request: CreateTeamRequest): Promise<TeamSummary> {
    return this.client.post('/v1/teams', request, { team: null });
  }

  team(id: string): Promise<TeamView> {
    return this.client.get(`/v1/teams/${encodeURIComponent(id)}`, { team: id });
  }

  renameTeam(id: string, name: string): Promise<unknown> {
    return this.client.patch(`/v1/teams/${encodeURIComponent(id)}`, { name }, { team: id });
  }

  updateTeamLimits(id: string, request: UpdateTeamLimitsRequest): Promise<unknown> {
    return this.client.patch(`/v1/teams/${encodeURIComponent(id)}/limits`, request, { team: id });
  }

  async teamMembers(id: string): Promise<TeamMemberView[]> {
    return (
      await this.client.get<List<TeamMemberView>>(`/v1/teams/${encodeURIComponent(id)}/members`, { team: id })
    ).items;
  }

  updateMember(id: string, userId: string, role: TeamRole): Promise<unknown> {
    return this.client.patch(
      `/v1/teams/${encodeURIComponent(id)}/members/${encodeURIComponent(userId)}`,
      { role },
      { team: id },
    );
  }

  removeMember(id: string, userId: string): Promise<void> {
    return this.client.delete(`/v1/teams/${encodeURIComponent(id)}/members/${encodeURIComponent(userId)}`, {
      team: id,
    });
  }

  async teamInvitations(id: string): Promise<TeamInvitationView[]> {
    return (
      await this.client.get<List<TeamInvitationView>>(`/v1/teams/${encodeURIComponent(id)}/invitations`, {
        team: id,
      })
    ).items;
  }

  createInvitation(id: string, request: CreateInvitationRequest): Promise<CreatedInvitation> {
    return this.client.post(`/v1/teams/${encodeURIComponent(id)}/invitations`, request, { team: id });
  }

  revokeInvitation(id: string, invitationId: string): Promise<void> {
    return this.client.delete(
      `/v1/teams/${encodeURIComponent(id)}/invitations/${encodeURIComponent(invitationId)}`,
      { team: id },
    );
  }

  invitation(token: string): Promise<InvitationPreview> {
    return this.client.get(`/v1/invitations/${encodeURIComponent(token)}`, { team: null });
  }

  acceptInvitation(token: string): Promise<TeamSummary> {
    return this.client.post(`/v1/invitations/${encodeURIComponent(token)}/accept`, undefined, { team: null });
  }

  /** A team's finished jobs per day, person and model (`GET /v1/usage` acting for the team). */
  teamUsage(id: string, range: UsageRange): Promise<UsageReport> {
    return this.client.get('/v1/usage', { query: { ...range }, team: id });
  }

  /** The same rows as the API's FOCUS-named CSV. */
  teamUsageCsv(id: string, range: UsageRange): Promise<string> {
    return this.client.get('/v1/usage', {
      query: { ...range, format: 'csv' },
      headers: { accept: 'text/csv, application/problem+json' },
      as: 'text',
      team: id,
    });
  }

  adminTimeseries(query: TimeseriesQuery): Promise<AdminTimeseries> {
    return this.client.get('/v1/admin/timeseries', { query: { ...query } });
  }

  /** Every team's (or one team's) usage per day, person and model, as the API's FOCUS-named CSV. */
  adminUsageCsv(query: UsageCsvQuery): Promise<string> {
    return this.client.get('/v1/admin/usage', {
      query: { ...query, format: 'csv' },
      headers: { accept: 'text/csv, application/problem+json' },
      as: 'text',
    });
  }
}
