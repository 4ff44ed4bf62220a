import type { Routes } from '@angular/router';
import { AuditPage } from './audit.page';

const auditRoutes: Routes = [{ path: '', component: AuditPage, title: 'Audit log · Tyto' }];

export default auditRoutes;
