import { TestBed } from '@angular/core/testing';
import { provideNoopAnimations } from '@angular/platform-browser/animations';
import { DataTableComponent } from './data-table.component';
import type { TableColumn } from './table';

interface Container {
  id: string;
  name: string;
  cpu: number;
}

const COLUMNS: TableColumn<Container>[] = [
  { key: 'name', label: 'Name', value: (c) => c.name },
  { key: 'cpu', label: 'CPU', value: (c) => c.cpu, display: (c) => `${c.cpu} %`, numeric: true },
];

function container(id: string, name: string, cpu: number): Container {
  return { id, name, cpu };
}

describe(DataTableComponent.name, () => {
  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideNoopAnimations()] });
  });

  function render(rows: Container[], filterable = true) {
    const fixture = TestBed.createComponent(DataTableComponent<Container>);
    fixture.componentRef.setInput('rows', rows);
    fixture.componentRef.setInput('columns', COLUMNS);
    fixture.componentRef.setInput('rowKey', (c: Container) => c.id);
    fixture.componentRef.setInput('filterable', filterable);
    fixture.componentRef.setInput('emptyText', 'No containers.');
    fixture.detectChanges();
    const el = fixture.nativeElement as HTMLElement;
    const names = () =>
      Array.from(el.querySelectorAll('[data-testid="table-row"] [data-column="name"]')).map((td) =>
        td.textContent?.trim(),
      );
    return { fixture, el, names };
  }

  const rows = [container('a', 'web', 12), container('b', 'db', 40), container('c', 'cache', 3)];

  it('shows the rows with formatted cells', () => {
    const { el, names } = render(rows);
    expect(names()).toEqual(['web', 'db', 'cache']);
    expect(el.querySelector('[data-column="cpu"]')?.textContent?.trim()).toBe('12 %');
  });

  it('narrows the rows as the user types a filter', () => {
    const { fixture, el, names } = render(rows);
    const input = el.querySelector<HTMLInputElement>('[data-testid="table-filter"]');
    if (!input) throw new Error('no filter box');
    input.value = 'ca';
    input.dispatchEvent(new Event('input'));
    fixture.detectChanges();

    expect(names()).toEqual(['cache']);
    expect(el.textContent).toContain('1 of 3');
  });

  it('sorts by a column when its header is clicked, descending on the second click', () => {
    const { fixture, el, names } = render(rows);
    const cpuHeader = el.querySelectorAll<HTMLElement>('th .mat-sort-header-container')[1];
    cpuHeader.click();
    fixture.detectChanges();
    expect(names()).toEqual(['cache', 'web', 'db']);

    cpuHeader.click();
    fixture.detectChanges();
    expect(names()).toEqual(['db', 'web', 'cache']);
  });

  it('keeps the chosen sort when fresh rows arrive', () => {
    const { fixture, el, names } = render(rows);
    el.querySelectorAll<HTMLElement>('th .mat-sort-header-container')[0].click();
    fixture.componentRef.setInput('rows', [...rows, container('d', 'api', 1)]);
    fixture.detectChanges();

    expect(names()).toEqual(['api', 'cache', 'db', 'web']);
  });

  it('says why it is empty', () => {
    const { el } = render([], false);
    expect(el.querySelector('[data-testid="table-filter"]')).toBeNull();
    expect(el.textContent).toContain('No containers.');
  });
});
