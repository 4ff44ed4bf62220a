import { HttpErrorResponse } from '@angular/common/http';
import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type {
  Agent,
  AgentCaResponse,
  CreateAgentRequest,
  CreateAgentResponse,
  PendingEnrollment,
} from '@tyto/contracts';
import { LOCAL_AGENT_ID } from '@tyto/contracts';
import { firstValueFrom, forkJoin, timer } from 'rxjs';
import { errorMessage } from '../core/http';
import { AgentsApi } from './agents.api';

/** How often the lists are read again while the page is open (statuses, new requests). */
export const AGENTS_PAGE_REFRESH_MS = 5_000;

// The Agents page: the registry's agents, the enrollment requests waiting for a decision, the CA
// fingerprint, and the one-time install line of the host just added. Provided by the page.
@Injectable()
export class AgentsStore {
  private readonly api = inject(AgentsApi);
  private readonly destroyRef = inject(DestroyRef);

  private readonly _agents = signal<readonly Agent[]>([]);
  private readonly _pending = signal<readonly PendingEnrollment[]>([]);
  private readonly _ca = signal<AgentCaResponse | null>(null);
  private readonly _loaded = signal(false);
  private readonly _busy = signal<string | null>(null);
  private readonly _created = signal<CreateAgentResponse | null>(null);
  private readonly _createError = signal<string | null>(null);
  private readonly _notice = signal<string | null>(null);

  /** `local` first, then by name. */
  readonly agents = computed(() =>
    [...this._agents()].sort(
      (a, b) =>
        Number(b.id === LOCAL_AGENT_ID) - Number(a.id === LOCAL_AGENT_ID) ||
        a.name.localeCompare(b.name) ||
        a.id.localeCompare(b.id),
    ),
  );
  readonly pending = computed(() => this._pending());
  readonly ca = computed(() => this._ca());
  readonly loaded = computed(() => this._loaded());
  /** What is being done right now (`create`, `revoke:<id>`, `approve:<request id>` …). */
  readonly busy = computed(() => this._busy());
  /** The host just added: its install line is shown until the form is opened again. */
  readonly created = computed(() => this._created());
  readonly createError = computed(() => this._createError());
  readonly notice = computed(() => this._notice());

  /** Loads everything, then re-reads the lists every AGENTS_PAGE_REFRESH_MS. */
  start(): void {
    void this.load();
    this.api.ca().subscribe({ next: (ca) => this._ca.set(ca), error: () => undefined });
    timer(AGENTS_PAGE_REFRESH_MS, AGENTS_PAGE_REFRESH_MS)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe(() => void this.load());
  }

  async load(): Promise<void> {
    try {
      const { list, pending } = await firstValueFrom(
        forkJoin({ list: this.api.list(), pending: this.api.pending() }),
      );
      this._agents.set(list.agents);
      this._pending.set(pending.pending);
    } catch {
      // The error interceptor has shown why; the lists stay as they were.
    } finally {
      this._loaded.set(true);
    }
  }

  clearCreated(): void {
    this._created.set(null);
    this._createError.set(null);
  }

  async create(body: CreateAgentRequest): Promise<boolean> {
    return this.act('create', async () => {
      this._createError.set(null);
      try {
        const created = await firstValueFrom(this.api.create(body));
        this._created.set(created);
        this.upsert(created.agent);
        return `Host ${created.agent.name} added: run the command below on it.`;
      } catch (err) {
        if (err instanceof HttpErrorResponse && (err.status === 400 || err.status === 409)) {
          this._createError.set(errorMessage(err));
          return null;
        }
        throw err;
      }
    });
  }

  async approve(request: PendingEnrollment): Promise<boolean> {
    return this.act(`approve:${request.id}`, async () => {
      const decision = await firstValueFrom(this.api.approve(request.id));
      this._pending.update((list) => list.filter((p) => p.id !== request.id));
      if (decision.agent) this.upsert(decision.agent);
      return `${request.name} approved.`;
    });
  }

  async reject(request: PendingEnrollment): Promise<boolean> {
    return this.act(`reject:${request.id}`, async () => {
      await firstValueFrom(this.api.reject(request.id));
      this._pending.update((list) => list.filter((p) => p.id !== request.id));
      return `The request of ${request.name} was rejected.`;
    });
  }

  async revoke(agent: Agent): Promise<boolean> {
    return this.act(`revoke:${agent.id}`, async () => {
      this.upsert(await firstValueFrom(this.api.revoke(agent.id)));
      return `${agent.name} revoked: it can no longer connect.`;
    });
  }

  async remove(agent: Agent): Promise<boolean> {
    return this.act(`delete:${agent.id}`, async () => {
      await firstValueFrom(this.api.remove(agent.id));
      this._agents.update((list) => list.filter((a) => a.id !== agent.id));
      if (this._created()?.agent.id === agent.id) this._created.set(null);
      return `${agent.name} deleted.`;
    });
  }

  // One action at a time; true when it went through. Failures other than the form's own are
  // shown by the error interceptor.
  private async act(what: string, run: () => Promise<string | null>): Promise<boolean> {
    if (this._busy()) return false;
    this._busy.set(what);
    this._notice.set(null);
    try {
      const notice = await run();
      this._notice.set(notice);
      return notice !== null;
    } catch {
      return false;
    } finally {
      this._busy.set(null);
    }
  }

  private upsert(agent: Agent): void {
    this._agents.update((list) =>
      list.some((a) => a.id === agent.id)
        ? list.map((a) => (a.id === agent.id ? agent : a))
        : [...list, agent],
    );
  }
}
