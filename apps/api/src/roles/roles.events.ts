/** Event names on the hub's bus, with their payloads. */

/** A role's permissions changed or the role was deleted: every holder's grants may differ. */
export const ROLE_CHANGED = 'role.changed';
export interface RoleChangedEvent {
  roleId: string;
}
