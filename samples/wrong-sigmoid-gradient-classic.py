# Mistake: the classic typo sigma(z) * sigma(1 - z) instead of sigma(z) * (1 - sigma(z)); backpropagation
# uses it, so the gradient and the training go wrong too.
# Loses: sigmoid_gradient, gradient, gradient_regularised
# Diagnosis: sigmoid-gradient-classic-typo

# %% grade_id="mySigmoidGradient"
def mySigmoidGradient(z):
    return mySigmoid(z) * mySigmoid(1 - z)
