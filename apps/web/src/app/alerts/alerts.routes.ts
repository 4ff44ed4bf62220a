import type { Routes } from '@angular/router';
import { permissionGuard } from '../auth/auth.guard';
import { AlertRulesPage } from './alert-rules.page';
import { AlertsPage } from './alerts.page';
import { ChannelsPage } from './channels.page';

const alertsRoutes: Routes = [
  { path: '', component: AlertsPage, title: 'Alerts · Tyto' },
  { path: 'rules', component: AlertRulesPage, title: 'Alert rules · Tyto' },
  {
    path: 'channels',
    component: ChannelsPage,
    canActivate: [permissionGuard('alerts:manage')],
    title: 'Notification channels · Tyto',
  },
];

export default alertsRoutes;
