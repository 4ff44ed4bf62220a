import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MatCardModule } from '@angular/material/card';
import { RouterLink } from '@angular/router';
import { BytesPipe } from '../shared/format/bytes.pipe';
import { UsagePipe } from '../shared/format/usage.pipe';
import type { FleetHost } from './fleet-model';
import { sparkArea, sparkPath } from './fleet-model';

const SPARK_WIDTH = 240;
const SPARK_HEIGHT = 36;

const STATUS_LABEL: Record<FleetHost['status'], string> = {
  online: 'Online',
  offline: 'Offline',
  pending: 'Pending',
  revoked: 'Revoked',
};

// One host of the fleet overview. The whole card links to the host page; a host that is not
// online says so in words, in its outline and by greying its figures, not by colour alone. Its
// active alerts are counted in words too ("2 alerts"), red only in addition.
@Component({
  selector: 'tyto-fleet-card',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatCardModule, RouterLink, BytesPipe, UsagePipe],
  template: `
    @let h = host();
    <mat-card
      appearance="outlined"
      [class]="'card ' + h.status"
      data-testid="fleet-card"
      [attr.data-agent-id]="h.id"
      [attr.data-status]="h.status"
    >
      <div class="head">
        <span class="dot" aria-hidden="true"></span>
        <div class="names">
          <!-- The name is the link; its ::after stretches over the card, so the whole card is
               a click target while the link's name stays what it shows. -->
          <a class="link name" [routerLink]="['/host', h.id]" data-testid="fleet-card-link"
            ><span data-testid="fleet-card-name">{{ h.name }}</span></a
          >
          <span class="sub">
            {{ h.id }}
            @if (h.hostname && h.hostname !== h.name) {
              · {{ h.hostname }}
            }
          </span>
        </div>
        @if (h.alerts !== null) {
          <span
            class="alerts"
            [class.firing]="h.alerts > 0"
            data-testid="fleet-card-alerts"
            [attr.data-count]="h.alerts"
            >{{ alertsLabel() }}</span
          >
        }
        <span class="status" data-testid="fleet-card-status">{{ statusLabel() }}</span>
      </div>
      @if (h.cpu !== null) {
        <dl class="figures">
          <div>
            <dt>CPU</dt>
            <dd data-testid="fleet-card-cpu">{{ h.cpu | usage }}</dd>
          </div>
          <div>
            <dt>Memory</dt>
            <dd data-testid="fleet-card-memory">{{ h.memory | usage }}</dd>
          </div>
          <div>
            <dt>Fullest disk {{ h.busiestDisk ? '(' + h.busiestDisk.mountpoint + ')' : '' }}</dt>
            <dd data-testid="fleet-card-disk">
              {{ h.busiestDisk ? (h.busiestDisk.usedPercent | usage) : '–' }}
            </dd>
          </div>
          <div>
            <dt>Network</dt>
            <dd data-testid="fleet-card-network">
              ↓ {{ h.network?.rxRate | bytes }}/s ↑ {{ h.network?.txRate | bytes }}/s
            </dd>
          </div>
        </dl>
        <svg
          class="spark"
          [attr.viewBox]="'0 0 ' + width + ' ' + height"
          preserveAspectRatio="none"
          role="img"
          [attr.aria-label]="'CPU over the last hour, ' + h.spark.length + ' points'"
          data-testid="fleet-card-spark"
        >
          <path class="area" [attr.d]="area()" />
          <path class="line" [attr.d]="path()" />
        </svg>
      } @else {
        <p class="empty" data-testid="fleet-card-empty">{{ emptyText() }}</p>
      }
    </mat-card>
  `,
  styles: `
    :host {
      display: block;
    }
    .link {
      color: inherit;
      text-decoration: none;
      outline: none;
    }
    .link::after {
      content: '';
      position: absolute;
      inset: 0;
      border-radius: inherit;
    }
    .link:focus-visible::after {
      outline: 2px solid currentColor;
      outline-offset: 2px;
    }
    .card {
      position: relative;
      padding: 12px 16px;
      height: 100%;
      box-sizing: border-box;
      border-width: 1px;
    }
    .card:hover {
      background: var(--tyto-track);
    }
    .head {
      display: flex;
      align-items: center;
      gap: 8px;
      min-width: 0;
    }
    .dot {
      flex: none;
      width: 10px;
      height: 10px;
      border-radius: 50%;
      background: var(--tyto-ok);
    }
    .names {
      display: flex;
      flex-direction: column;
      min-width: 0;
      flex: 1;
    }
    .name {
      display: block;
      font-weight: 500;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .sub {
      font-size: 12px;
      opacity: 0.7;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .alerts {
      flex: none;
      font-size: 12px;
      opacity: 0.8;
      font-variant-numeric: tabular-nums;
    }
    .alerts.firing {
      opacity: 1;
      font-weight: 600;
      color: var(--tyto-critical);
    }
    .status {
      flex: none;
      font-size: 12px;
      padding: 2px 8px;
      border-radius: 999px;
      border: 1px solid currentColor;
    }
    .figures {
      display: grid;
      grid-template-columns: 1fr 1fr;
      gap: 4px 12px;
      margin: 12px 0 8px;
    }
    .figures div {
      min-width: 0;
    }
    dt {
      font-size: 12px;
      opacity: 0.7;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    dd {
      margin: 0;
      font-variant-numeric: tabular-nums;
    }
    .spark {
      display: block;
      width: 100%;
      height: 36px;
    }
    .spark .area {
      fill: currentColor;
      opacity: 0.12;
    }
    .spark .line {
      fill: none;
      stroke: currentColor;
      stroke-width: 1.5;
      vector-effect: non-scaling-stroke;
      opacity: 0.8;
    }
    .empty {
      margin: 12px 0 0;
      font-size: 14px;
      opacity: 0.75;
    }
    .offline {
      border-style: dashed;
      border-color: var(--tyto-warn);
    }
    .offline .dot {
      background: transparent;
      border: 2px solid var(--tyto-warn);
      box-sizing: border-box;
    }
    .offline .figures,
    .offline .spark {
      opacity: 0.55;
    }
    .offline .status {
      color: var(--tyto-warn);
    }
    .pending {
      border-style: dotted;
    }
    .pending .dot {
      background: transparent;
      border: 2px dotted currentColor;
      box-sizing: border-box;
    }
    .revoked {
      border-color: var(--tyto-critical);
    }
    .revoked .dot {
      background: var(--tyto-critical);
      border-radius: 2px;
    }
    .revoked .status {
      color: var(--tyto-critical);
    }
    .revoked .name {
      text-decoration: line-through;
    }
  `,
})
export class FleetCardComponent {
  readonly host = input.required<FleetHost>();
  /** Milliseconds since the epoch the sparkline ends at. */
  readonly now = input.required<number>();

  protected readonly width = SPARK_WIDTH;
  protected readonly height = SPARK_HEIGHT;
  protected readonly statusLabel = computed(() => STATUS_LABEL[this.host().status]);
  protected readonly alertsLabel = computed(() => {
    const n = this.host().alerts ?? 0;
    return n === 1 ? '1 alert' : `${n} alerts`;
  });
  protected readonly path = computed(() =>
    sparkPath(this.host().spark, this.now(), SPARK_WIDTH, SPARK_HEIGHT),
  );
  protected readonly area = computed(() =>
    sparkArea(this.host().spark, this.now(), SPARK_WIDTH, SPARK_HEIGHT),
  );
  protected readonly emptyText = computed(() => {
    switch (this.host().status) {
      case 'pending':
        return 'Not enrolled yet: run its install line, or approve its request on the Agents page.';
      case 'revoked':
        return 'Its certificate was revoked; it can no longer connect.';
      case 'online':
      case 'offline':
        return 'No sample received yet.';
    }
  });
}
