import { DestroyRef, Directive, ElementRef, afterNextRender, inject, output } from '@angular/core';

/** Emits when the element scrolls into view: the trigger for infinite scroll. */
@Directive({ selector: '[cwInView]' })
export class InViewDirective {
  readonly cwInView = output<void>();

  constructor() {
    const element = inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;
    const destroyRef = inject(DestroyRef);
    afterNextRender(() => {
      if (typeof IntersectionObserver === 'undefined') return;
      const observer = new IntersectionObserver(
        (entries) => {
          if (entries.some((entry) => entry.isIntersecting)) this.cwInView.emit();
        },
        { rootMargin: '400px 0px' },
      );
      observer.observe(element);
      destroyRef.onDestroy(() => observer.disconnect());
    });
  }
}
