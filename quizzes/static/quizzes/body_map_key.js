/* The body-map key in the Wagtail admin. Wagtail draws the edit form's fields in the browser, after the
 * page's scripts ran, so the learner's body map (attempt.js) is started by a Stimulus controller, which
 * connects whenever the widget appears. Registered through Wagtail's documented client-side API. */
(function () {
  "use strict";

  class BodyMapKeyController extends window.StimulusModule.Controller {
    connect() {
      window.BodyworkBodyMap.init(this.element);
    }
  }

  window.wagtail.app.register("body-map-key", BodyMapKeyController);
})();
