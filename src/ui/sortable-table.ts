/**
 * A results table whose sortable columns have a button in their header (https://www.w3.org/WAI/ARIA/apg/patterns/table/examples/sortable-table/):
 * pressing it sorts by that column, pressing it again reverses the order; aria-sort says which column
 * sorts the rows and how, and the caption says it in words. Sorting is stable (ties keep file order).
 */
import { element } from './dom';
import { t } from './i18n';

export interface Column<R> {
  key: string;
  title: string;
  cell(row: R): string | Node;
  /** Makes the column sortable. */
  sortValue?: (row: R) => number | string;
  numeric?: boolean;
  /** Words for the caption: "worst CIDEr-D first" (ascending), "best CIDEr-D first" (descending). */
  ascending?: string;
  descending?: string;
}

export interface TableSort {
  key: string;
  direction: 'ascending' | 'descending';
}

/** `note`, when given, shows the caption's text where a person sees it (the caption itself can stay visually hidden). */
export function renderSortableTable<R>(table: HTMLTableElement, columns: readonly Column<R>[], rows: readonly R[], describe: string, initial: TableSort, rowData?: (row: R) => Record<string, string>, note?: HTMLElement): void {
  let sort = initial;
  const head = table.tHead ?? table.createTHead();
  const body = table.tBodies[0] ?? table.createTBody();
  const caption = table.caption ?? table.createCaption();
  const headers = columns.map((column) => {
    const th = element('th');
    th.scope = 'col';
    if (column.numeric) th.className = 'num';
    if (!column.sortValue) {
      th.textContent = column.title;
      return th;
    }
    const button = element('button', 'sort', column.title);
    button.type = 'button';
    button.dataset.column = column.key;
    button.addEventListener('click', () => {
      sort = { key: column.key, direction: sort.key === column.key && sort.direction === 'ascending' ? 'descending' : 'ascending' };
      draw();
    });
    th.append(button);
    return th;
  });
  const headRow = element('tr');
  headRow.append(...headers);
  head.replaceChildren(headRow);

  const draw = () => {
    const column = columns.find((c) => c.key === sort.key)!;
    const value = column.sortValue!;
    const sign = sort.direction === 'ascending' ? 1 : -1;
    const sorted = rows
      .map((row, index) => ({ row, index }))
      .sort((a, b) => {
        const x = value(a.row);
        const y = value(b.row);
        return (x < y ? -sign : x > y ? sign : 0) || a.index - b.index;
      });
    columns.forEach((c, i) => {
      if (c.sortValue) headers[i]!.setAttribute('aria-sort', c.key === sort.key ? sort.direction : 'none');
    });
    const order = (sort.direction === 'ascending' ? column.ascending : column.descending) ?? t('table.sortedBy', { column: column.title.toLowerCase() });
    caption.textContent = t('table.caption', { describe, order });
    if (note) note.textContent = caption.textContent;
    body.replaceChildren(
      ...sorted.map(({ row }) => {
        const tr = element('tr');
        Object.assign(tr.dataset, rowData?.(row) ?? {});
        for (const c of columns) {
          const td = element('td');
          if (c.numeric) td.className = 'num';
          td.append(c.cell(row));
          tr.append(td);
        }
        return tr;
      }),
    );
  };
  draw();
}
