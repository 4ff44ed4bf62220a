import type { AlertEvent } from '@tyto/contracts';

/** Event names on the hub's bus, with their payloads. */

/** A new alert. */
export const ALERT_RAISED = 'alert.raised';
/** Any other change of an alert: escalated, stepped down, resolved, acknowledged. */
export const ALERT_CHANGED = 'alert.changed';
export type AlertBusEvent = AlertEvent;
