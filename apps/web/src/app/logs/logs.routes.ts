import type { Routes } from '@angular/router';
import { LogsPage } from './logs.page';

const logsRoutes: Routes = [{ path: '', component: LogsPage, title: 'Logs · Tyto' }];

export default logsRoutes;
